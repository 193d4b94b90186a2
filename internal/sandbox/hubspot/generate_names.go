package hubspot

// Word pools the generator draws from. They are plain and international,
// so demo data reads like a real CRM without naming real people.

var firstNames = []string{"Ava", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Isla", "Jonas",
	"Kemi", "Liam", "Maya", "Noah", "Olivia", "Pavel", "Quinn", "Rosa", "Samir", "Tara", "Umar", "Vera",
	"Wen", "Ximena", "Yusuf", "Zoe", "Aditi", "Bruno", "Carmen", "Dmitri", "Esme", "Felix", "Greta",
	"Hassan", "Ines", "Jakub", "Keiko", "Lars", "Mei", "Nadia"}

var lastNames = []string{"Adams", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito",
	"Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi", "Silva",
	"Tanaka", "Umarov", "Varga", "Weber", "Xu", "Yilmaz", "Zimmer", "Andersson", "Brown", "Chen", "Diaz",
	"Evans", "Fontaine", "Gupta", "Hughes", "Ivanova", "Johansson", "Kim", "Larsen", "Murphy", "Novak"}

var companyWords = []string{"Northwind", "Bluebird", "Cobalt", "Evergreen", "Granite", "Harbor", "Juniper",
	"Keystone", "Lumen", "Meridian", "Nimbus", "Orchard", "Pinnacle", "Quarry", "Redwood", "Summit",
	"Tidewater", "Upland", "Vantage", "Willow", "Zephyr", "Atlas", "Beacon", "Crescent", "Driftwood"}

var companySuffixes = []string{"Labs", "Logistics", "Foods", "Systems", "Partners", "Studio", "Health",
	"Energy", "Analytics", "Outfitters", "Robotics", "Media", "Supply", "Capital", "Works"}

var industries = []string{"COMPUTER_SOFTWARE", "HOSPITAL_HEALTH_CARE", "RETAIL", "FINANCIAL_SERVICES",
	"CONSTRUCTION", "FOOD_BEVERAGES", "LOGISTICS_AND_SUPPLY_CHAIN", "MARKETING_AND_ADVERTISING", "EDUCATION_MANAGEMENT"}

var cities = []struct{ city, country string }{{"London", "United Kingdom"}, {"Berlin", "Germany"}, {"Austin", "United States"},
	{"Toronto", "Canada"}, {"Sydney", "Australia"}, {"Lisbon", "Portugal"}, {"Osaka", "Japan"}, {"Nairobi", "Kenya"},
	{"Dublin", "Ireland"}, {"Denver", "United States"}, {"Lyon", "France"}, {"Auckland", "New Zealand"}}

var jobTitles = []string{"Head of Operations", "Finance Director", "Office Manager", "CTO", "Procurement Lead",
	"Marketing Manager", "Founder", "Sales Director", "IT Administrator", "Account Manager"}

var productNames = []string{"Starter plan", "Growth plan", "Enterprise plan", "Onboarding package", "Support hours",
	"Data connector", "Training day", "Hardware kit", "Analytics add-on", "Extra seats", "Audit service", "API access"}

var subjects = []string{"Pricing question", "Follow-up on proposal", "Renewal discussion", "Login problem",
	"Invoice query", "Feature request: export", "Kick-off call", "Quarterly review", "Contract redlines",
	"Demo for the team", "Onboarding check-in", "Integration help"}

var bodies = []string{"Discussed next steps and agreed to send the revised quote.", "Customer asked about annual billing.",
	"Left a voicemail; will try again on Thursday.", "Walked through the reporting dashboard.",
	"They want to add ten more seats next quarter.", "Shared the security questionnaire.",
	"Resolved the import error by re-mapping two columns.", "Agreed on a pilot with the finance team."}

var vehicleMakes = []string{"Ford", "Toyota", "Volvo", "Renault", "Tesla", "Iveco"}

var planNames = []string{"Basic", "Team", "Business", "Scale"}
