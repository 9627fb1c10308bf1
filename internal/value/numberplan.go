package value

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nyaruka/phonenumbers"
)

// numberPlan is one region's numbering plan from libphonenumber's metadata,
// with its patterns compiled once. The library validates a number by
// building "^(?:" + pattern + ")$" for every type of number, looking each
// up in a locked map and matching it twice (isNumberMatchingDesc): about
// 2.3 µs a number, of which the matches themselves take a tenth. The
// patterns here are the same strings compiled the same way, so they accept
// the same numbers.
type numberPlan struct {
	general numberDesc
	// kinds are the types getNumberTypeHelper tries after the general
	// description: fixed line and mobile first, the most common, then the
	// others. A number is valid if any one matches, whatever the order.
	kinds []numberDesc
	// leadingDigits tells the regions of one calling code apart (nil:
	// validate the number to tell).
	leadingDigits *digitMatcher
	// nationalPrefix matches a national prefix (a trunk 0) at the start of
	// a national number; nil when the region has none, or it is the
	// literal nationalDigits.
	nationalPrefix *digitMatcher
	nationalDigits string
	// transforms: the national prefix is replaced by a rule, not stripped.
	transforms bool
	// What reading a number written without + needs: the region's own
	// calling code, its international prefix (00), and the general
	// description's lengths that are possible only locally.
	countryCode int
	idd         *digitMatcher
	localOnly   []int32
}

// startsNational says whether the national number nsn starts with the
// region's national prefix, as the library's "^(?:" + prefix + ")" finds.
func (p *numberPlan) startsNational(nsn string) bool {
	if p.nationalPrefix != nil {
		return p.nationalPrefix.MatchString(nsn)
	}
	return p.nationalDigits != "" && strings.HasPrefix(nsn, p.nationalDigits)
}

// numberDesc is one type of number: its lengths and its pattern.
type numberDesc struct {
	lengths []int32
	pattern *digitMatcher // nil: the region has no number of this type
}

// matches is the library's isNumberMatchingDesc.
func (d numberDesc) matches(nsn string) bool {
	if d.pattern == nil {
		return false // the library's empty pattern matches no number of 2 digits or more
	}
	if len(d.lengths) > 0 {
		found := false
		for _, l := range d.lengths {
			if int32(len(nsn)) == l {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return d.pattern.MatchString(nsn)
}

// known is getNumberTypeHelper(nsn) != UNKNOWN: the number matches the
// region's general description and one of its types.
func (p *numberPlan) known(nsn string) bool {
	if !p.general.matches(nsn) {
		return false
	}
	for _, d := range p.kinds {
		if d.matches(nsn) {
			return true
		}
	}
	return false
}

func newNumberPlan(m *phonenumbers.PhoneMetadata) *numberPlan {
	desc := func(d *phonenumbers.PhoneNumberDesc) numberDesc {
		if d.GetNationalNumberPattern() == "" {
			return numberDesc{}
		}
		return numberDesc{lengths: d.GetPossibleLength(), pattern: compileDigits("^(?:" + d.GetNationalNumberPattern() + ")$")}
	}
	p := &numberPlan{general: desc(m.GetGeneralDesc())}
	p.kinds = append(p.kinds, desc(m.GetFixedLine()))
	if !m.GetSameMobileAndFixedLinePattern() {
		p.kinds = append(p.kinds, desc(m.GetMobile()))
	}
	for _, d := range []*phonenumbers.PhoneNumberDesc{m.GetPremiumRate(), m.GetTollFree(), m.GetSharedCost(),
		m.GetVoip(), m.GetPersonalNumber(), m.GetPager(), m.GetUan(), m.GetVoicemail()} {
		if d := desc(d); d.pattern != nil {
			p.kinds = append(p.kinds, d)
		}
	}
	if ld := m.GetLeadingDigits(); ld != "" {
		p.leadingDigits = compileDigits("^(?:" + ld + ")")
	}
	switch np := m.GetNationalPrefixForParsing(); {
	case np != "" && allDigits(np): // most regions: 0, or 1
		p.nationalDigits = np
	case np != "":
		p.nationalPrefix = compileDigits("^(?:" + np + ")")
	}
	p.transforms = m.GetNationalPrefixTransformRule() != ""
	p.countryCode = int(m.GetCountryCode())
	p.idd = compileDigits("^(?:" + m.GetInternationalPrefix() + ")")
	p.localOnly = m.GetGeneralDesc().GetPossibleLengthLocalOnly()
	return p
}

// possibleLength is whether the library's testNumberLength(n digits, the
// plan, UNKNOWN) is IS_POSSIBLE or TOO_LONG, the lengths a national number
// may have once its national prefix is stripped.
func (p *numberPlan) possibleLength(n int) bool {
	lengths := p.general.lengths
	if len(lengths) == 0 || lengths[0] == -1 || slices.Contains(p.localOnly, int32(n)) {
		return false
	}
	switch {
	case lengths[0] == int32(n):
		return true
	case lengths[0] > int32(n):
		return false // TOO_SHORT
	case lengths[len(lengths)-1] < int32(n):
		return true // TOO_LONG
	}
	return slices.Contains(lengths[1:], int32(n))
}

// metadata is libphonenumber's own metadata (MetadataCollection returns the
// collection the library loaded), by region and, for the non-geographic
// calling codes (800, 808...), by calling code.
var metadata = sync.OnceValues(func() (map[string]*phonenumbers.PhoneMetadata, map[int32]*phonenumbers.PhoneMetadata) {
	regions, global := map[string]*phonenumbers.PhoneMetadata{}, map[int32]*phonenumbers.PhoneMetadata{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		panic(err) // the library's own init would have panicked first
	}
	for _, m := range coll.GetMetadata() {
		if m.GetId() == nonGeographic {
			global[m.GetCountryCode()] = m
		} else {
			regions[m.GetId()] = m
		}
	}
	return regions, global
})

// nonGeographic is the library's region code of the calling codes of no
// country (REGION_CODE_FOR_NON_GEO_ENTITY).
const nonGeographic = "001"

// callingCode is what the library knows of one calling code: its regions,
// the main one first (GetRegionCodesForCountryCode), and their plans.
type callingCode struct {
	regions []string
	plans   []*numberPlan // by region; nil where the library has no metadata
}

// callingCodes holds the calling codes looked up so far, compiled on first
// use: a file's numbers come from a few countries, and compiling all 250
// regions' patterns would cost more than checking most files.
var callingCodes [1000]atomic.Pointer[callingCode]

// codeOf returns calling code cc, or nil when no region has it.
func codeOf(cc int) *callingCode {
	if cc <= 0 || cc >= len(callingCodes) {
		return nil
	}
	if c := callingCodes[cc].Load(); c != nil {
		return c.orNil()
	}
	c := &callingCode{regions: phonenumbers.GetRegionCodesForCountryCode(cc)}
	regions, global := metadata()
	for _, r := range c.regions {
		m := regions[r]
		if r == nonGeographic {
			m = global[int32(cc)]
		}
		var p *numberPlan
		if m != nil {
			p = newNumberPlan(m)
		}
		c.plans = append(c.plans, p)
	}
	callingCodes[cc].Store(c)
	return c.orNil()
}

func (c *callingCode) orNil() *callingCode {
	if len(c.regions) == 0 {
		return nil
	}
	return c
}

// valid is phonenumbers.IsValidNumber for the national significant number
// nsn of this calling code, on the compiled plans: the number's region is
// the calling code's only one, or the first whose leading digits, or else
// whose plan, the number fits (getRegionCodeForNumberFromRegionList); the
// number is valid if that region's plan knows it.
func (c *callingCode) valid(nsn string) bool {
	if len(c.plans) == 1 {
		return c.plans[0] != nil && c.plans[0].known(nsn)
	}
	for _, p := range c.plans {
		if p == nil {
			continue // the library finds no metadata, hence no type, either
		}
		if p.leadingDigits != nil {
			if p.leadingDigits.MatchString(nsn) {
				return p.known(nsn)
			}
		} else if p.known(nsn) {
			return true // the region found is the one validated
		}
	}
	return false
}
