package value

import (
	"math/rand/v2"
	"net/mail"
	"strings"
	"testing"
	"time"
)

// emailBefore is Email before dotAtoms: net/mail for every address.
func emailBefore(s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, ";,") && strings.Count(s, "@") > 1 {
		return "", fail("holds several e-mail addresses; a cell takes one, like name@example.com")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", fail("is not an e-mail address: expected one like name@example.com")
	}
	local, domain, _ := strings.Cut(a.Address, "@")
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", fail("is not an e-mail address: the part after @ is not a domain like example.com")
	}
	return local + "@" + strings.ToLower(domain), nil
}

// randomText makes n strings of 0 to max bytes drawn from alphabet.
func randomText(seed uint64, n, max int, alphabet []string) []string {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for j := r.IntN(max + 1); j > 0; j-- {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		out[i] = b.String()
	}
	return out
}

// TestEmailShortcutReadsAsNetMail: every address, well formed or not, is
// accepted as before, in the same form, or refused with the same reason.
func TestEmailShortcutReadsAsNetMail(t *testing.T) {
	corpus := []string{"", "a@b", "a@b.c", "info@example.com", "Info.X@Example.COM", " a@example.com ", ".a@example.com",
		"a.@example.com", "a..b@example.com", "a@.example.com", "a@example.com.", "a@example..com", "a@@example.com",
		"@example.com", "a@", "A <a@example.com>", "<a@example.com>", "\"a b\"@example.com", "a@[10.0.0.1]",
		"a@example.com (Anna)", "a@example.com, b@example.com", "a@example.com;b@example.com", "a b@example.com",
		"müller@example.de", "a@exämple.de", "a\x00@example.com", "a@example.com\x7f", "!#$%&'*+/=?^_`{|}~-@example.com",
		"a(b)@example.com", "a@b@example.com", "a\\b@example.com", "a@-example-.com", "a@123.45"}
	alphabet := []string{"a", "Z", "0", ".", "@", "-", "_", "+", " ", ",", ";", "\"", "<", ">", "(", ")", "[", "]",
		":", "\\", "!", "~", "é", "\x00", "\t", "E", "x", ".com", "@example.com", "\xff"}
	corpus = append(corpus, randomText(1, 30_000, 16, alphabet)...)
	corpus = append(corpus, addresses(30_000, alphabet)...)
	shortcut := 0
	for _, s := range corpus {
		got, err := Email(s)
		want, wantErr := emailBefore(s)
		if got != want || errText(err) != errText(wantErr) {
			t.Errorf("Email(%q) = %q, %v, want %q, %v", s, got, err, want, wantErr)
		}
		if dotAtoms(strings.TrimSpace(s)) {
			shortcut++
		}
	}
	t.Logf("%d addresses, %d by the shortcut", len(corpus), shortcut)
	if shortcut < 1000 {
		t.Errorf("only %d of %d addresses took the shortcut; the corpus does not test it", shortcut, len(corpus))
	}
}

// TestNumberShortcutsChangeNothing: the replacers leave a plain number as
// it is, and ungroup's one-group shortcut reads as the general path.
func TestNumberShortcutsChangeNothing(t *testing.T) {
	alphabet := []string{"0", "1", "9", ".", ",", "-", "+", "(", ")", "_", " ", "'", "€", "%", "kr", "\u00a0", "e"}
	for _, s := range randomText(2, 50_000, 12, alphabet) {
		if plainNumber(s) && (numberNoise.Replace(s) != s || spaceGroups.Replace(s) != s) {
			t.Errorf("plainNumber(%q) = true, but a replacer changes it", s)
		}
		for _, group := range []byte{0, '.', ','} {
			got, ok := ungroup(s, group)
			want, wantOK := ungroupAll(s, group)
			if got != want || ok != wantOK {
				t.Errorf("ungroup(%q, %q) = %q, %v, want %q, %v", s, group, got, ok, want, wantOK)
			}
		}
	}
}

// addresses makes n addresses of atoms joined by dots, one in three with a
// character of alphabet put in somewhere.
func addresses(n int, alphabet []string) []string {
	r := rand.New(rand.NewPCG(3, 7))
	atext := randomText(4, 200, 6, []string{"a", "b", "Q", "z", "0", "7", "-", "_", "+", "!", "#", "'", "~", "`", "{", "|", "/", "=", "?", "^", "%", "$", "&", "*"})
	atoms := func() string {
		parts := make([]string, 1+r.IntN(3))
		for i := range parts {
			parts[i] = atext[r.IntN(len(atext))]
		}
		return strings.Join(parts, ".")
	}
	out := make([]string, n)
	for i := range out {
		s := atoms() + "@" + atoms()
		if r.IntN(3) == 0 {
			at := r.IntN(len(s) + 1)
			s = s[:at] + alphabet[r.IntN(len(alphabet))] + s[at:]
		}
		out[i] = s
	}
	return out
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestDateShortcutsChangeNothing: formatDay writes every day ymd can return
// as time.Format does, and day reads an ISO day as its general path does.
func TestDateShortcutsChangeNothing(t *testing.T) {
	for day := time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() <= 9999; day = day.AddDate(0, 0, 1+day.YearDay()%97) {
		if got, want := formatDay(day), day.Format(time.DateOnly); got != want {
			t.Fatalf("formatDay(%v) = %q, want %q", day, got, want)
		}
	}
	de := locale(t, "de-DE")
	alphabet := []string{"0", "1", "2", "3", "9", "-", "-", "/", ".", " "}
	corpus := randomText(5, 30_000, 10, alphabet)
	for _, s := range randomText(6, 30_000, 8, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}) {
		if len(s) == 8 {
			corpus = append(corpus, s[:4]+"-"+s[4:6]+"-"+s[6:])
		}
	}
	for _, s := range append(corpus, "2026-02-29", "2028-02-29", "0999-01-01", "2026-13-01", "2026-00-10", "2026-12-32") {
		got, err := de.day(s)
		want, wantErr := de.dayGeneral(s)
		if !got.Equal(want) || errText(err) != errText(wantErr) {
			t.Errorf("day(%q) = %v, %v, want %v, %v", s, got, err, want, wantErr)
		}
	}
}

// compactPhoneBefore is compactPhone as it was, rune by rune.
func compactPhoneBefore(s string) string {
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', r == ' ', r == '-', r == '.', r == '/', r == '(', r == ')':
		case r == '+' && i == 0:
		default:
			return s
		}
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '.' || r == '/' {
			return -1
		}
		return r
	}, s)
}

func TestCompactPhoneAsBefore(t *testing.T) {
	alphabet := []string{"0", "4", "9", " ", "-", ".", "/", "(", ")", "+", "x", "é", "\u00a0", "\xff", "\u0663"}
	for _, s := range randomText(10, 50_000, 14, alphabet) {
		if got, want := compactPhone(s), compactPhoneBefore(s); got != want {
			t.Errorf("compactPhone(%q) = %q, want %q", s, got, want)
		}
	}
}

// canonicalBefore is canonical as it was, by concatenation.
func canonicalBefore(neg bool, s string) string {
	whole, frac, _ := strings.Cut(s, ".")
	whole = strings.TrimLeft(whole, "0")
	frac = strings.TrimRight(frac, "0")
	if whole == "" {
		whole = "0"
	}
	out := whole
	if frac != "" {
		out += "." + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out
}

func TestCanonicalAsBefore(t *testing.T) {
	digits := []string{"0", "0", "1", "5", "9"}
	wholes, fracs := randomText(11, 3000, 6, digits), randomText(12, 3000, 5, digits)
	for i := range wholes {
		for _, neg := range []bool{false, true} {
			want := canonicalBefore(neg, wholes[i]+"."+fracs[i])
			for _, text := range []string{"", want, wholes[i] + "." + fracs[i]} {
				if got := canonicalOf(neg, wholes[i], fracs[i], text); got != want {
					t.Errorf("canonicalOf(%v, %q, %q, %q) = %q, want %q", neg, wholes[i], fracs[i], text, got, want)
				}
			}
		}
	}
}
