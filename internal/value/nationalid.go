package value

import "strings"

// NationalID reads a Brazilian CPF (11 digits, persons) or CNPJ (14
// characters, companies; letters allowed in the first 12 since July 2026),
// with or without its punctuation, checks its two check digits, and returns
// it without punctuation. fromNumber says the cell was a number, so leading
// zeros the spreadsheet dropped are put back.
func NationalID(s string, fromNumber bool) (string, error) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r == '.' || r == '-' || r == '/' || r == ' ':
		default:
			return "", fail("is not a CPF or CNPJ: expected 11 digits like 529.982.247-25 or 14 like 11.222.333/0001-81")
		}
	}
	id := b.String()
	if fromNumber && allDigits(id) {
		switch {
		case len(id) < 11:
			id = strings.Repeat("0", 11-len(id)) + id
		case len(id) < 14 && len(id) > 11:
			id = strings.Repeat("0", 14-len(id)) + id
		}
	}
	switch {
	case len(id) == 11 && allDigits(id):
		if sameDigits(id) || !checkDigits(id, cpfWeights) {
			return "", fail("is not a CPF: its check digits do not match; look for a mistyped digit")
		}
	case len(id) == 14 && allDigits(id[12:]):
		if sameDigits(id) || !checkDigits(id, cnpjWeights) {
			return "", fail("is not a CNPJ: its check digits do not match; look for a mistyped character")
		}
	default:
		return "", fail("is not a CPF or CNPJ: expected 11 digits like 529.982.247-25 or 14 like 11.222.333/0001-81")
	}
	return id, nil
}

var (
	cpfWeights  = []int{11, 10, 9, 8, 7, 6, 5, 4, 3, 2}
	cnpjWeights = []int{6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
)

// checkDigits verifies the last two characters of id, each the modulo-11
// check digit of the characters before it. weights are those of the second
// digit; the first uses the same list without its first element. A letter
// counts as its ASCII code minus 48 (the rule of the alphanumeric CNPJ).
func checkDigits(id string, weights []int) bool {
	n := len(id) - 2
	for k := 0; k < 2; k++ {
		w := weights[len(weights)-(n+k):]
		sum := 0
		for i := 0; i < n+k; i++ {
			sum += int(id[i]-'0') * w[i]
		}
		d := 11 - sum%11
		if d >= 10 {
			d = 0
		}
		if int(id[n+k]-'0') != d {
			return false
		}
	}
	return true
}

// sameDigits rejects 000.000.000-00 and the like, which pass the check but
// are not issued.
func sameDigits(id string) bool {
	return strings.Count(id, id[:1]) == len(id)
}
