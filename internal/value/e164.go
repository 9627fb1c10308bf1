package value

import "github.com/nyaruka/phonenumbers"

// internationalDigits is Phone's fast path for a number written as + and
// ASCII digits alone (what compactPhone leaves of "+49 30 901820"), the
// commonest shape in tenants' files. It returns the number in E.164 form
// and whether it is valid, as phonenumbers.Parse, IsValidNumber and
// Format(E164) would, with ok true; ok is false for every number it does
// not read exactly as the library does, which the library reads then.
//
// What Parse does with such a number, step by step: no extension (each of
// the library's extension patterns needs a label or a separator); the +
// stripped and the calling code taken as the first 1 to 3 digits that are
// one; the rest is the national number, unchanged unless it starts with
// the region's national prefix (a trunk 0: "+49 030" is +4930), which is
// left to the library; then E.164 is + calling code national number, the
// very digits given.
func internationalDigits(s string) (e164 string, valid, ok bool) {
	if len(s) < 4 || s[0] != '+' || len(s) > 1+phonenumbers.MAX_LENGTH_COUNTRY_CODE+phonenumbers.MAX_LENGTH_FOR_NSN {
		return "", false, false // too short to be viable, or too long: the library's errors
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false, false
		}
	}
	digits := s[1:]
	if digits[0] == '0' {
		return "", false, false // no calling code starts with 0: the library tries again without the +
	}
	var code *callingCode
	nsn := ""
	for i := 1; i <= phonenumbers.MAX_LENGTH_COUNTRY_CODE && code == nil; i++ {
		code, nsn = codeOf(atoi(digits[:i])), digits[i:]
	}
	if code == nil || len(nsn) < phonenumbers.MIN_LENGTH_FOR_NSN || len(nsn) > phonenumbers.MAX_LENGTH_FOR_NSN {
		return "", false, false
	}
	// The national prefix is the main region's (GetRegionCodeForCountryCode).
	if main := code.plans[0]; main == nil || main.startsNational(nsn) {
		return "", false, false
	}
	return s, code.valid(nsn), true
}

// atoi reads a string of ASCII digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
