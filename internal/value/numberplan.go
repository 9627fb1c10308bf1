package value

import (
	"regexp"
	"strconv"
	"sync"

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
	leadingDigits *regexp.Regexp
	// nationalPrefix matches a national prefix (a trunk 0) at the start of
	// a national number; nil when the region has none to strip.
	nationalPrefix *regexp.Regexp
}

// numberDesc is one type of number: its lengths and its pattern.
type numberDesc struct {
	lengths []int32
	pattern *regexp.Regexp // nil: the region has no number of this type
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
		return numberDesc{lengths: d.GetPossibleLength(), pattern: regexp.MustCompile("^(?:" + d.GetNationalNumberPattern() + ")$")}
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
		p.leadingDigits = regexp.MustCompile("^(?:" + ld + ")")
	}
	if np := m.GetNationalPrefixForParsing(); np != "" {
		p.nationalPrefix = regexp.MustCompile("^(?:" + np + ")")
	}
	return p
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

// plans holds the numbering plans compiled so far, by region ("001/800"
// for a non-geographic code): a file's numbers come from a few regions, and
// compiling all 250 would cost more than checking most files.
var plans sync.Map // string -> *numberPlan

// planOf returns the plan of region, or of calling code cc when region is
// "001"; nil when the library has no metadata for it.
func planOf(region string, cc int) *numberPlan {
	key := region
	if region == nonGeographic {
		key = region + "/" + strconv.Itoa(cc)
	}
	if p, ok := plans.Load(key); ok {
		return p.(*numberPlan)
	}
	regions, global := metadata()
	m := regions[region]
	if region == nonGeographic {
		m = global[int32(cc)]
	}
	if m == nil {
		return nil
	}
	p, _ := plans.LoadOrStore(key, newNumberPlan(m))
	return p.(*numberPlan)
}

// validNumber is phonenumbers.IsValidNumber for the number of calling code
// cc and national significant number nsn, on the compiled plans: the
// number's region is the calling code's only one, or the first whose
// leading digits, or else whose plan, the number fits
// (getRegionCodeForNumberFromRegionList); the number is valid if that
// region's plan knows it.
func validNumber(cc int, nsn string) bool {
	regions := phonenumbers.GetRegionCodesForCountryCode(cc)
	switch len(regions) {
	case 0:
		return false
	case 1:
		p := planOf(regions[0], cc)
		return p != nil && p.known(nsn)
	}
	for _, r := range regions {
		p := planOf(r, cc)
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
