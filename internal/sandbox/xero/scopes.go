package xero

// scopeRule lists the scopes any one of which lets a token call an endpoint.
type scopeRule []string

func (r scopeRule) allows(granted map[string]bool) bool {
	for _, s := range r {
		if granted[s] {
			return true
		}
	}
	return false
}

// readScopes builds the rule for reading an endpoint: the broad scope (as
// older apps hold) or the granular one that replaced it in March 2026, each
// in its read-only or read-write form. An empty name is skipped.
func readScopes(names ...string) scopeRule {
	var r scopeRule
	for _, n := range names {
		if n != "" {
			r = append(r, n, n+".read")
		}
	}
	return r
}

// Scopes of the Accounting API endpoints the sandbox serves.
var (
	scopeInvoices     = readScopes("accounting.transactions", "accounting.invoices")
	scopePayments     = readScopes("accounting.transactions", "accounting.payments")
	scopeBank         = readScopes("accounting.transactions", "accounting.banktransactions")
	scopeManual       = readScopes("accounting.transactions", "accounting.manualjournals")
	scopeContacts     = readScopes("accounting.contacts")
	scopeSettings     = readScopes("accounting.settings")
	scopeJournals     = scopeRule{"accounting.journals.read"}
	scopeAttachments  = readScopes("accounting.attachments")
	scopeTrialBalance = scopeRule{"accounting.reports.read", "accounting.reports.trialbalance.read"}
	scopeProfitLoss   = scopeRule{"accounting.reports.read", "accounting.reports.profitandloss.read"}
	scopeBalanceSheet = scopeRule{"accounting.reports.read", "accounting.reports.balancesheet.read"}
)
