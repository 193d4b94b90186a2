package xero

import (
	"fmt"
	"strconv"
	"time"
)

// MSDate is a Xero .NET JSON date, Unix milliseconds serialised as
// "/Date(1573755038314+0000)/". Dates before 1970 are negative
// ("/Date(-174268800000+0000)/"), which has crashed other connectors, so the
// generator produces some on purpose. Calendar dates (x-is-msdate in the
// spec: Date, DueDate, JournalDate) are midnight UTC of the day; instants
// (x-is-msdate-time: UpdatedDateUTC, CreatedDateUTC) carry milliseconds.
type MSDate int64

// MSDateOf converts a time to an MSDate.
func MSDateOf(t time.Time) MSDate { return MSDate(t.UnixMilli()) }

// DayOf returns the calendar date of t as an MSDate (midnight UTC).
func DayOf(t time.Time) MSDate {
	y, m, d := t.UTC().Date()
	return MSDate(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).UnixMilli())
}

// Time converts an MSDate back to a time in UTC.
func (d MSDate) Time() time.Time { return time.UnixMilli(int64(d)).UTC() }

// MarshalJSON writes the .NET form with the +0000 suffix Xero sends on record fields.
func (d MSDate) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 32)
	b = append(b, `"/Date(`...)
	b = strconv.AppendInt(b, int64(d), 10)
	b = append(b, `+0000)/"`...)
	return b, nil
}

// UnmarshalJSON reads the .NET form, with or without an offset suffix, so
// admin requests can send back what the API served.
func (d *MSDate) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("xero: date %s: not a JSON string", b)
	}
	ms, ok := ParseMSDate(s)
	if !ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			*d = MSDateOf(t)
			return nil
		}
		if t, err := time.Parse("2006-01-02T15:04:05", s); err == nil {
			*d = MSDateOf(t)
			return nil
		}
		if t, err := time.Parse("2006-01-02", s); err == nil {
			*d = MSDateOf(t)
			return nil
		}
		return fmt.Errorf("xero: date %q: want /Date(ms+0000)/ or ISO 8601", s)
	}
	*d = MSDate(ms)
	return nil
}

// ParseMSDate parses "/Date(ms)/" or "/Date(ms+zzzz)/", negative ms included.
func ParseMSDate(s string) (int64, bool) {
	const prefix, suffix = "/Date(", ")/"
	if len(s) < len(prefix)+len(suffix)+1 || s[:len(prefix)] != prefix || s[len(s)-len(suffix):] != suffix {
		return 0, false
	}
	body := s[len(prefix) : len(s)-len(suffix)]
	// The offset, if any, is the last '+' or '-' that is not the sign.
	for i := len(body) - 1; i > 0; i-- {
		if body[i] == '+' || body[i] == '-' {
			if len(body)-i != 5 {
				return 0, false
			}
			body = body[:i]
			break
		}
	}
	ms, err := strconv.ParseInt(body, 10, 64)
	if err != nil {
		return 0, false
	}
	return ms, true
}

// envelopeDate formats the envelope's DateTimeUTC, which Xero sends without
// the offset suffix: "/Date(1439434356790)/".
func envelopeDate(t time.Time) string {
	return "/Date(" + strconv.FormatInt(t.UnixMilli(), 10) + ")/"
}

// Money is an amount in cents. The sandbox keeps every amount exact so the
// ledger invariants (journals balance, invoices settle) hold to the cent;
// it is written as a JSON number with two decimals, as Xero writes amounts.
type Money int64

// MarshalJSON writes cents as a decimal number: 12345 → 123.45.
func (m Money) MarshalJSON() ([]byte, error) {
	return m.AppendText(make([]byte, 0, 24))
}

// AppendText appends the decimal form of m.
func (m Money) AppendText(b []byte) ([]byte, error) {
	v := int64(m)
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/100, 10)
	b = append(b, '.')
	c := v % 100
	b = append(b, byte('0'+c/10), byte('0'+c%10))
	return b, nil
}

// String returns the decimal form, as reports show amounts.
func (m Money) String() string {
	b, _ := m.AppendText(nil)
	return string(b)
}

// UnmarshalJSON reads a JSON number into cents, rounding to the nearest cent.
func (m *Money) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("xero: amount %s: not a number", b)
	}
	if f < 0 {
		*m = Money(f*100 - 0.5)
	} else {
		*m = Money(f*100 + 0.5)
	}
	return nil
}
