package value

import (
	"math/rand/v2"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestDigitMatcherMatchesAsRegexp runs every pattern of libphonenumber's
// metadata, as the library anchors it, over random digit strings and the
// pattern's own example numbers: the automaton and regexp agree on each.
func TestDigitMatcherMatchesAsRegexp(t *testing.T) {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(8, 9))
	inputs := []string{"", "0", "00", "1", "49", "030", "0049"}
	for i := 0; i < 300; i++ {
		d := make([]byte, r.IntN(19))
		for j := range d {
			d[j] = byte('0' + r.IntN(10))
		}
		inputs = append(inputs, string(d))
	}
	if testing.Short() {
		inputs = inputs[:100]
	}
	patterns, automata, checked, largest := 0, 0, 0, 0
	try := func(expr string, examples ...string) {
		m := compileDigits(expr)
		patterns++
		if m.next != nil {
			automata++
			largest = max(largest, len(m.next))
		}
		for _, s := range append(examples, inputs...) {
			checked++
			if got, want := m.MatchString(s), m.re.MatchString(s); got != want {
				t.Errorf("compileDigits(%q).MatchString(%q) = %v, want %v", expr, s, got, want)
			}
		}
	}
	for _, md := range coll.GetMetadata() {
		for _, d := range []*phonenumbers.PhoneNumberDesc{md.GetGeneralDesc(), md.GetFixedLine(), md.GetMobile(), md.GetTollFree(),
			md.GetPremiumRate(), md.GetSharedCost(), md.GetPersonalNumber(), md.GetVoip(), md.GetPager(), md.GetUan(), md.GetVoicemail()} {
			if p := d.GetNationalNumberPattern(); p != "" {
				ex := d.GetExampleNumber()
				try("^(?:"+p+")$", ex, ex+"0", "0"+ex, ex[:max(0, len(ex)-1)])
			}
		}
		if ld := md.GetLeadingDigits(); ld != "" {
			try("^(?:" + ld + ")")
		}
		if np := md.GetNationalPrefixForParsing(); np != "" {
			try("^(?:" + np + ")")
		}
	}
	t.Logf("%d patterns, %d as automata (the largest %d states), %d matches compared", patterns, automata, largest, checked)
	if automata < patterns*9/10 {
		t.Errorf("only %d of %d patterns became automata", automata, patterns)
	}
}

func TestDigitMatcherFallsBackOnOtherText(t *testing.T) {
	m := compileDigits(`^(?:[2-9]\d{2}|1)$`)
	for _, s := range []string{"200", "1", "12a", "x", "٣٢١", "20 0"} {
		if got, want := m.MatchString(s), m.re.MatchString(s); got != want {
			t.Errorf("MatchString(%q) = %v, want %v", s, got, want)
		}
	}
}
