package value

import (
	"net/mail"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// regionName names a region in English ("DE" -> "Germany").
func regionName(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if name := display.English.Regions().Name(r); name != "" {
		return name
	}
	return code
}

// Email reads one bare e-mail address (no display name) and returns it
// with the domain in lower case.
func Email(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !dotAtoms(s) { // else net/mail would read s as the address s
		if strings.ContainsAny(s, ";,") && strings.Count(s, "@") > 1 {
			return "", fail("holds several e-mail addresses; a cell takes one, like name@example.com")
		}
		a, err := mail.ParseAddress(s)
		if err != nil || a.Name != "" || a.Address != s {
			return "", fail("is not an e-mail address: expected one like name@example.com")
		}
	}
	local, domain, _ := strings.Cut(s, "@")
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", fail("is not an e-mail address: the part after @ is not a domain like example.com")
	}
	if lower := strings.ToLower(domain); lower != domain {
		return local + "@" + lower, nil
	}
	return s, nil
}

// dotAtoms says whether s is two RFC 5322 dot-atoms of printable ASCII
// joined by one @ (info.x@example.com): the one shape of address that
// net/mail's ParseAddress reads, as an addr-spec, all of and as itself,
// with no display name. It parses about 1 µs an address; this looks at
// each byte once.
func dotAtoms(s string) bool {
	at := strings.IndexByte(s, '@')
	if at < 0 {
		return false
	}
	return dotAtom(s[:at]) && dotAtom(s[at+1:])
}

// dotAtom is net/mail's consumeAtom(dot, not permissive) of all of s,
// ASCII only: atext characters, and dots neither first, last nor doubled.
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '.':
			if s[i-1] == '.' {
				return false
			}
		case '(', ')', '<', '>', '[', ']', ':', ';', '@', '\\', ',', '"': // RFC 5322's specials
			return false
		default:
			if c < '!' || c > '~' {
				return false
			}
		}
	}
	return true
}

// Phone reads a phone number, with or without a country code, and returns
// it in E.164 form (+4930901820). Numbers without a country code belong to
// the locale's region.
func (l Locale) Phone(s string) (string, error) {
	s = strings.TrimSpace(s)
	compact := compactPhone(s)
	if e164, valid, ok := internationalDigits(compact); ok {
		if !valid {
			return "", errInvalidPhone
		}
		return e164, nil
	}
	if e164, valid, ok := nationalDigits(compact, l.Region); ok {
		if !valid {
			return "", l.notOfRegion(s)
		}
		return e164, nil
	}
	return l.libraryPhone(s, compact)
}

// errInvalidPhone is the reason of a number that has the shape of a phone
// number but is none.
var errInvalidPhone = &Error{Reason: "is not a valid phone number"}

// libraryPhone is Phone by libphonenumber alone, for every number the fast
// paths do not read; s is the cell's text, compact the same without its
// spacing.
func (l Locale) libraryPhone(s, compact string) (string, error) {
	n, err := phonenumbers.Parse(compact, l.Region)
	if err != nil {
		return "", fail("is not a phone number")
	}
	if !phonenumbers.IsValidNumber(n) {
		if n.GetCountryCode() == int32(phonenumbers.GetCountryCodeForRegion(l.Region)) && !strings.HasPrefix(s, "+") {
			return "", l.notOfRegion(s)
		}
		return "", errInvalidPhone
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// notOfRegion is the reason of an invalid number s, written without +, that
// was read as a number of the locale's region: unless it starts with 00,
// the tenant may have meant another country's.
func (l Locale) notOfRegion(s string) error {
	if strings.HasPrefix(s, "00") {
		return errInvalidPhone
	}
	return fail("is not a phone number of %s; write numbers of other countries with their country code, like +49 30 901820", regionName(l.Region))
}

// compactPhone drops the spaces, dashes, dots and slashes of a number that
// holds nothing else but digits, parentheses and a leading +. libphonenumber
// ignores them too, but its patterns take about half as long on the
// shorter text. Anything else (an extension, letters) is left as it is.
func compactPhone(s string) string {
	drop := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '(', c == ')':
		case c == ' ', c == '-', c == '.', c == '/':
			drop++
		case c == '+' && i == 0:
		default: // an extension, letters, or any other character
			return s
		}
	}
	if drop == 0 {
		return s
	}
	b := make([]byte, 0, len(s)-drop)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != ' ' && c != '-' && c != '.' && c != '/' {
			b = append(b, c)
		}
	}
	return string(b)
}
