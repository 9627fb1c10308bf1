package value

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// libraryOnly is Phone as it was before its fast paths: libphonenumber's
// Parse, IsValidNumber and Format for every number.
func (l Locale) libraryOnly(s string) (string, error) {
	s = strings.TrimSpace(s)
	return l.libraryPhone(s, compactPhone(s))
}

// phoneCorpus generates the numbers the fast paths must read as the library
// does: every region's example numbers of every type, written in E.164,
// international and national form, with a digit changed, one more or one
// fewer, a trunk 0 after the calling code, an extension, punctuation; random
// digits after every calling code from 1 to 999; and hand-picked garbage.
func phoneCorpus() []string {
	r := rand.New(rand.NewPCG(12, 2026))
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	types := []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE,
		phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER,
		phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.VOICEMAIL}
	var examples []*phonenumbers.PhoneNumber
	for _, region := range slices.Sorted(maps.Keys(phonenumbers.GetSupportedRegions())) {
		for _, typ := range types {
			if n := phonenumbers.GetExampleNumberForType(region, typ); n != nil {
				examples = append(examples, n)
			}
		}
	}
	for _, cc := range slices.Sorted(maps.Keys(phonenumbers.GetSupportedGlobalNetworkCallingCodes())) {
		if n := phonenumbers.GetExampleNumberForNonGeoEntity(cc); n != nil {
			examples = append(examples, n)
		}
	}
	for _, n := range examples {
		cc := fmt.Sprint(n.GetCountryCode())
		nsn := phonenumbers.GetNationalSignificantNumber(n)
		variants := []string{nsn, nsn[:len(nsn)-1], nsn + "5", "0" + nsn, "00" + nsn}
		for i := 0; i < 3; i++ {
			d := []byte(nsn)
			d[r.IntN(len(d))] = byte('0' + r.IntN(10))
			variants = append(variants, string(d))
		}
		for _, v := range variants {
			add("+" + cc + v)
			add("+" + cc + " " + v)
			add("00" + cc + v)
			add(v)
		}
		add(phonenumbers.Format(n, phonenumbers.INTERNATIONAL))
		add(phonenumbers.Format(n, phonenumbers.NATIONAL))
		add(phonenumbers.Format(n, phonenumbers.RFC3966))
		add(phonenumbers.Format(n, phonenumbers.E164) + " ext. 12")
		add(phonenumbers.Format(n, phonenumbers.E164) + " x12")
		add(phonenumbers.Format(n, phonenumbers.E164) + ";ext=12")
		add("+" + cc + " (0)" + nsn)
		add("+" + cc + "-" + nsn)
		add("++" + cc + nsn)
	}
	for cc := 1; cc <= 999; cc++ {
		for i := 0; i < 12; i++ {
			d := make([]byte, 1+r.IntN(18))
			for j := range d {
				d[j] = byte('0' + r.IntN(10))
			}
			add(fmt.Sprintf("+%d%s", cc, d))
			add(fmt.Sprintf("%d%s", cc, d))
		}
	}
	for _, s := range []string{"", " ", "+", "++", "+0", "+00", "+1", "+12", "+123", "+1234", "+0049301234567",
		"+49", "+49 1", "+4930", "+49301", "+4903012345678", "+49 30 901820", " +49 30 901820 ", "+49 30 9018200000000000",
		"+999123456", "+80012345678", "+800 1234 5678", "+882 1234 5678", "+979 123456789",
		"+1 201 555 0123", "+1 800 555 0123", "+1 204 555 0123", "+1 684 633 1234", "+44 20 7946 0958", "+44 1481 256789",
		"+44 7624 123456", "+7 912 345 6789", "+7 701 234 5678", "+39 06 1234 5678", "+39 312 345 6789", "+54 9 11 1234 5678",
		"+52 1 55 1234 5678", "+55 11 98765 4321", "+225 01 23 45 67 89", "+61 2 1234 5678", "+262 262 12 34 56",
		"030 901820", "0049 30 901820", "(030) 901820", "+49 (0)30 901820", "call me", "12", "n/a", "-", "0", "00",
		"+４９ ３０ ９０１８２０", "+49 30 90１820", "tel:+49-30-901820", "+49 30 901820 / 21", "+49.30.901820",
		"+49-30-901820#", "4930901820", "+49 30 901820\t", "+\u200b49 30 901820", "+49 30 ABCDEF", "1-800-FLOWERS",
		"+1 (800) FLOWERS", strings.Repeat("9", 40), "+" + strings.Repeat("1", 30), "+1" + strings.Repeat("2", 17)} {
		add(s)
	}
	return out
}

// TestPhoneFastPathsReadAsTheLibrary proves the fast paths change nothing:
// for every number of the corpus, in locales of several regions, Phone
// gives the same E.164 number, or the same reason, as libphonenumber alone.
func TestPhoneFastPathsReadAsTheLibrary(t *testing.T) {
	corpus := phoneCorpus()
	locales, step := []string{"de-DE", "en-US", "pt-BR", "es-AR", "it-IT"}, 1
	if testing.Short() { // the library takes 25 µs a number of this corpus
		locales, step = locales[:2], 3
	}
	fast, national, valid, total := 0, 0, 0, 0
	for _, tag := range locales {
		l := locale(t, tag)
		for i := 0; i < len(corpus); i += step {
			s := corpus[i]
			total++
			got, err := l.Phone(s)
			want, wantErr := l.libraryOnly(s)
			if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Errorf("Phone(%s, %q) = %q, %v, want %q, %v", tag, s, got, err, want, wantErr)
			}
			c := compactPhone(strings.TrimSpace(s))
			if _, _, ok := internationalDigits(c); ok {
				fast++
			} else if _, _, ok := nationalDigits(c, l.Region); ok {
				national++
			}
			if wantErr == nil {
				valid++
			}
		}
	}
	t.Logf("%d numbers of %d, in %d locales: %d valid, %d read by the international fast path, %d by the national one",
		total, len(corpus), len(locales), valid, fast, national)
	if fast < total/4 || national < total/10 {
		t.Errorf("only %d and %d of %d numbers took the fast paths; the corpus does not test them", fast, national, total)
	}
}

// FuzzPhoneFastPaths: whatever the text, Phone reads it as libphonenumber
// alone does, in a locale whose national numbers take the fast path.
func FuzzPhoneFastPaths(f *testing.F) {
	for _, s := range []string{"+4930901820", "030 901820", "+49 030 901820", "0049 30 901820", "+1 201 555 0123", "4930901820", "+999", "00"} {
		f.Add(s)
	}
	de, us := locale(f, "de-DE"), locale(f, "en-US")
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range []Locale{de, us} {
			got, err := l.Phone(s)
			want, wantErr := l.libraryOnly(s)
			if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Fatalf("Phone(%s, %q) = %q, %v, want %q, %v", l.Tag, s, got, err, want, wantErr)
			}
		}
	})
}
