package value

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

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

// nationalDigits is Phone's fast path for a number written in ASCII digits
// alone, without a country code (what compactPhone leaves of
// "030 901820"), read as a number of region. It returns the number in
// E.164 form and whether it is valid, as the library would, with ok true;
// ok is false for every number it does not read exactly as the library
// does, which the library reads then.
//
// What Parse does with such a number: no extension; no international
// prefix (00) and no calling code at its start, or it is read as
// international, which is left to the library; the region's calling code;
// the national prefix (a trunk 0) stripped when the number was not valid
// with it, or is still valid without it, and the rest has a possible
// length: stripping by a rule (Argentina's 15) and prefixes that are
// patterns are left to the library.
func nationalDigits(s, region string) (e164 string, valid, ok bool) {
	if len(s) < phonenumbers.MIN_LENGTH_FOR_NSN || len(s) > phonenumbers.MAX_LENGTH_FOR_NSN+3 || !allDigits(s) {
		return "", false, false
	}
	code, p := regionPlan(region)
	if p == nil || len(p.general.lengths) == 0 || p.general.pattern == nil || p.transforms || p.nationalPrefix != nil ||
		p.idd.MatchString(s) || strings.HasPrefix(s, strconv.Itoa(p.countryCode)) {
		return "", false, false
	}
	nsn := s
	if np := p.nationalDigits; np != "" && strings.HasPrefix(s, np) {
		stripped := s[len(np):]
		if !(p.general.pattern.MatchString(s) && !p.general.pattern.MatchString(stripped)) && p.possibleLength(len(stripped)) {
			nsn = stripped
		}
	}
	if len(nsn) < phonenumbers.MIN_LENGTH_FOR_NSN || len(nsn) > phonenumbers.MAX_LENGTH_FOR_NSN {
		return "", false, false
	}
	return "+" + strconv.Itoa(p.countryCode) + nsn, code.valid(nsn), true
}

// regionPlan returns the calling code of region and region's plan; nil
// when the library does not support the region.
func regionPlan(region string) (*callingCode, *numberPlan) {
	code := codeOf(phonenumbers.GetCountryCodeForRegion(region))
	if code == nil {
		return nil, nil
	}
	for i, r := range code.regions {
		if r == region {
			return code, code.plans[i]
		}
	}
	return nil, nil
}
