package xero

// Word pools and country profiles for the generator. Strings taken from
// these pools are shared by every record that uses them, which keeps a
// large organisation's memory down.

// taxRateSpec is one tax rate of a country profile.
type taxRateSpec struct {
	name, taxType, report string
	basisPoints           int64
	income, expense       bool // CanApplyToRevenue, CanApplyToExpenses
	status                string
}

// currencySpec is a currency and its rate to the profile's base currency
// (units of it per unit of base).
type currencySpec struct {
	code, description string
	rate              float64
}

// orgProfile is what differs between a New Zealand, Australian and UK organisation.
type orgProfile struct {
	version, country, countryName, currency, currencyName, timezone string
	suffix                                                          string // company suffix
	taxAccountName                                                  string
	fyeDay, fyeMonth                                                int
	salesTaxBasis, salesTaxPeriod                                   string
	salesTax, purchaseTax, noTax, zeroSales                         string // TaxTypes by role
	rates                                                           []taxRateSpec
	foreign                                                         [2]currencySpec
	cities                                                          []cityRegion
	phoneCountry                                                    string
}

type cityRegion struct{ city, region, postcode string }

var profiles = [3]orgProfile{
	{
		version: "NZ", country: "NZ", countryName: "New Zealand", currency: "NZD", currencyName: "New Zealand Dollar",
		timezone: "NEWZEALANDSTANDARDTIME", suffix: "Ltd", taxAccountName: "GST",
		fyeDay: 31, fyeMonth: 3, salesTaxBasis: "INVOICE", salesTaxPeriod: "TWOMONTHS",
		salesTax: "OUTPUT2", purchaseTax: "INPUT2", noTax: "NONE", zeroSales: "ZERORATED",
		rates: []taxRateSpec{
			{"15% GST on Expenses", "INPUT2", "INPUT", 1500, false, true, "ACTIVE"},
			{"15% GST on Income", "OUTPUT2", "OUTPUT", 1500, true, false, "ACTIVE"},
			{"GST on Imports", "GSTONIMPORTS", "GSTONIMPORTS", 0, false, true, "ACTIVE"},
			{"No GST", "NONE", "NONE", 0, true, true, "ACTIVE"},
			{"Zero Rated", "ZERORATED", "EXEMPTOUTPUT", 0, true, false, "ACTIVE"},
			{"12.5% GST on Income (old)", "TAX001", "OUTPUT", 1250, true, false, "ARCHIVED"},
		},
		foreign: [2]currencySpec{{"AUD", "Australian Dollar", 0.9312}, {"USD", "United States Dollar", 0.6105}},
		cities: []cityRegion{{"Auckland", "Auckland", "1010"}, {"Wellington", "Wellington", "6011"},
			{"Christchurch", "Canterbury", "8011"}, {"Hamilton", "Waikato", "3204"}, {"Dunedin", "Otago", "9016"},
			{"Tauranga", "Bay of Plenty", "3110"}, {"Nelson", "Nelson", "7010"}, {"Napier", "Hawke's Bay", "4110"}},
		phoneCountry: "64",
	},
	{
		version: "AU", country: "AU", countryName: "Australia", currency: "AUD", currencyName: "Australian Dollar",
		timezone: "AUSEASTERNSTANDARDTIME", suffix: "Pty Ltd", taxAccountName: "GST",
		fyeDay: 30, fyeMonth: 6, salesTaxBasis: "ACCRUALS", salesTaxPeriod: "QUARTERLY1",
		salesTax: "OUTPUT", purchaseTax: "INPUT", noTax: "BASEXCLUDED", zeroSales: "EXEMPTOUTPUT",
		rates: []taxRateSpec{
			{"GST on Expenses", "INPUT", "INPUT", 1000, false, true, "ACTIVE"},
			{"GST on Income", "OUTPUT", "OUTPUT", 1000, true, false, "ACTIVE"},
			{"GST Free Expenses", "EXEMPTEXPENSES", "EXEMPTEXPENSES", 0, false, true, "ACTIVE"},
			{"GST Free Income", "EXEMPTOUTPUT", "EXEMPTOUTPUT", 0, true, false, "ACTIVE"},
			{"BAS Excluded", "BASEXCLUDED", "BASEXCLUDED", 0, true, true, "ACTIVE"},
			{"GST on Imports", "GSTONIMPORTS", "GSTONIMPORTS", 0, false, true, "ACTIVE"},
			{"Input Taxed", "INPUTTAXED", "INPUTTAXED", 0, true, true, "DELETED"},
			{"Wine Equalisation Tax (old)", "TAX001", "OUTPUT", 2900, true, false, "ARCHIVED"},
		},
		foreign: [2]currencySpec{{"NZD", "New Zealand Dollar", 1.0738}, {"USD", "United States Dollar", 0.6556}},
		cities: []cityRegion{{"Sydney", "NSW", "2000"}, {"Melbourne", "VIC", "3000"}, {"Brisbane", "QLD", "4000"},
			{"Perth", "WA", "6000"}, {"Adelaide", "SA", "5000"}, {"Hobart", "TAS", "7000"}, {"Canberra", "ACT", "2600"},
			{"Geelong", "VIC", "3220"}},
		phoneCountry: "61",
	},
	{
		version: "UK", country: "GB", countryName: "United Kingdom", currency: "GBP", currencyName: "British Pound",
		timezone: "GMTSTANDARDTIME", suffix: "Ltd", taxAccountName: "VAT",
		fyeDay: 31, fyeMonth: 3, salesTaxBasis: "ACCRUAL", salesTaxPeriod: "QUARTERLY1",
		salesTax: "OUTPUT2", purchaseTax: "INPUT2", noTax: "NONE", zeroSales: "ZERORATEDOUTPUT",
		rates: []taxRateSpec{
			{"20% (VAT on Expenses)", "INPUT2", "INPUT", 2000, false, true, "ACTIVE"},
			{"20% (VAT on Income)", "OUTPUT2", "OUTPUT", 2000, true, false, "ACTIVE"},
			{"5% (VAT on Expenses)", "RRINPUT", "INPUT", 500, false, true, "ACTIVE"},
			{"5% (VAT on Income)", "RROUTPUT", "OUTPUT", 500, true, false, "ACTIVE"},
			{"Zero Rated Expenses", "ZERORATEDINPUT", "ZERORATEDINPUT", 0, false, true, "ACTIVE"},
			{"Zero Rated Income", "ZERORATEDOUTPUT", "ZERORATEDOUTPUT", 0, true, false, "ACTIVE"},
			{"Exempt Income", "EXEMPTOUTPUT", "EXEMPTOUTPUT", 0, true, false, "ACTIVE"},
			{"No VAT", "NONE", "NONE", 0, true, true, "ACTIVE"},
			{"17.5% (VAT on Income) (old)", "TAX001", "OUTPUT", 1750, true, false, "ARCHIVED"},
		},
		foreign: [2]currencySpec{{"EUR", "Euro", 1.1672}, {"USD", "United States Dollar", 1.2704}},
		cities: []cityRegion{{"London", "Greater London", "EC1A 1BB"}, {"Manchester", "Greater Manchester", "M1 1AE"},
			{"Bristol", "Bristol", "BS1 4DJ"}, {"Leeds", "West Yorkshire", "LS1 4AP"}, {"Edinburgh", "Midlothian", "EH1 1YZ"},
			{"Cardiff", "South Glamorgan", "CF10 1EP"}, {"Norwich", "Norfolk", "NR2 1NH"}, {"York", "North Yorkshire", "YO1 7HH"}},
		phoneCountry: "44",
	},
}

// orgNames are the organisations' trading names, cycled by index.
var orgNames = []string{
	"Kowhai Trading", "Wattle Street Supplies", "Bramble & Thorn", "Tui Creative", "Banksia Logistics",
	"Hawthorn Studio", "Rimu Engineering", "Jacaranda Foods", "Foxglove Interiors", "Pohutukawa Tours",
}

var companyFirst = []string{
	"Acme", "Bayside", "Harbour", "Summit", "Riverbend", "Northgate", "Silverline", "Greenleaf", "Bluewater",
	"Redwood", "Ironbark", "Golden", "Coastal", "Highland", "Meridian", "Pioneer", "Evergreen", "Lakeside",
	"Oakridge", "Clearview", "Sunrise", "Stonebridge", "Kingfisher", "Westfield", "Eastwood", "Southern",
	"Capital", "Urban", "Alpine", "Heritage", "Crescent", "Parkside", "Maple", "Cedar", "Willow", "Falcon",
	"Anchor", "Beacon", "Compass", "Horizon", "Keystone", "Landmark", "Orchard", "Prism", "Quarry", "Sterling",
	"Thistle", "Vantage", "Waratah", "Zenith", "Copper", "Granite", "Harvest", "Juniper", "Kestrel", "Lumen",
}

var companySecond = []string{
	"Plumbing", "Electrical", "Consulting", "Design", "Builders", "Cafe", "Bakery", "Motors", "Logistics",
	"Printing", "Landscaping", "Accounting", "Legal", "Dental", "Physio", "Fitness", "Media", "Software",
	"Hardware", "Joinery", "Engineering", "Freight", "Catering", "Cleaning", "Security", "Travel", "Imports",
	"Wholesale", "Traders", "Supplies", "Studio", "Architects", "Roofing", "Glass", "Paints", "Timber",
	"Office Supplies", "Telecom", "Energy", "Insurance", "Couriers", "Marketing", "Events", "Hire",
}

var firstNames = []string{
	"Olivia", "Liam", "Amelia", "Noah", "Isla", "Jack", "Ava", "Oliver", "Mia", "Leo", "Charlotte", "Lucas",
	"Harper", "Mason", "Ella", "Ethan", "Grace", "James", "Zoe", "Henry", "Ruby", "Arlo", "Sophie", "Hunter",
	"Aroha", "Nikau", "Mere", "Tane", "Priya", "Arjun", "Mei", "Wei", "Sione", "Losa", "Fatima", "Omar",
	"Hannah", "Samuel", "Chloe", "Daniel", "Emily", "George", "Lily", "Thomas", "Evie", "Finn", "Anna", "Max",
}

var lastNames = []string{
	"Smith", "Williams", "Brown", "Taylor", "Wilson", "Jones", "Walker", "Thompson", "Anderson", "White",
	"Harris", "Martin", "King", "Lee", "Clarke", "Robinson", "Wright", "Mitchell", "Campbell", "Young",
	"Ngata", "Parata", "Tane", "Patel", "Singh", "Chen", "Wang", "Nguyen", "Kim", "Tupou", "Fonoti",
	"O'Brien", "Murphy", "Kelly", "Evans", "Hughes", "Morgan", "Cooper", "Ward", "Bennett", "Gray", "Hall",
}

var streets = []string{
	"Queen Street", "High Street", "Victoria Road", "Church Street", "Station Road", "Park Avenue",
	"George Street", "King Street", "Market Lane", "Harbour Drive", "Mill Road", "Bridge Street",
	"Albert Street", "Elizabeth Street", "Wharf Road", "Hill Crescent",
}

var productAdjectives = []string{
	"Premium", "Standard", "Deluxe", "Compact", "Heavy Duty", "Eco", "Classic", "Pro", "Mini", "Large",
	"Organic", "Stainless", "Oak", "Bamboo", "Recycled", "Wireless",
}

var productNouns = []string{
	"Desk", "Chair", "Lamp", "Shelf", "Cabinet", "Mug", "Bottle", "Backpack", "Notebook", "Pen Set",
	"Monitor Stand", "Keyboard", "Headset", "Coffee Beans", "Tea Blend", "Toolkit", "Drill", "Ladder",
	"Paint Tin", "Brush Set", "Planter", "Rug", "Cushion", "Blanket", "Apron", "Cutting Board", "Knife Set",
	"Speaker", "Cable Pack", "Filing Box",
}

var serviceNames = []string{
	"Consulting - hourly", "Design services", "Installation", "Maintenance visit", "Site inspection",
	"Training session", "Project management", "Delivery charge", "Call-out fee", "Annual support plan",
	"Website hosting", "Bookkeeping", "Photography", "Workshop facilitation",
}

// expenseKinds pair what a bill or spend line says with the account it is coded to.
var expenseKinds = []struct{ desc, code string }{
	{"Office supplies", "453"}, {"Monthly rent", "469"}, {"Electricity", "445"}, {"Internet and phone", "489"},
	{"Courier charges", "425"}, {"Fuel", "449"}, {"Software subscription", "485"}, {"Cleaning services", "408"},
	{"Insurance premium", "433"}, {"Advertising campaign", "400"}, {"Printer toner", "461"}, {"Staff lunch", "420"},
	{"Repairs to premises", "473"}, {"Accounting fees", "412"}, {"Legal advice", "441"}, {"Stock purchase", "300"},
	{"Parking", "449"}, {"Travel - flights", "493"}, {"Accommodation", "493"}, {"Conference tickets", "429"},
}

var references = []string{
	"", "", "", "PO 1042", "PO 2215", "Job 318", "Job 442", "Spring order", "Monthly retainer", "Project Kea",
	"Project Atlas", "Fit-out", "Repeat order", "Website refresh", "Q3 supplies", "Annual contract",
	"Red Fish, Blue Fish", "Event hire", "Urgent", "Warranty claim",
}

var paymentReferences = []string{"", "", "Direct credit", "Online banking", "Bank transfer", "Cheque 00231", "Card payment", "Remittance advice"}

var attachmentFiles = []struct{ name, mime string }{
	{"invoice-scan.pdf", "application/pdf"}, {"receipt.jpg", "image/jpeg"}, {"signed-contract.pdf", "application/pdf"},
	{"delivery-docket.png", "image/png"}, {"timesheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"quote-details.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{"photo-of-goods.jpeg", "image/jpeg"}, {"remittance.pdf", "application/pdf"},
}

var quoteTitles = []string{"Quote", "Proposal", "Estimate", "Quotation for works", "Supply quote", "Service proposal"}
