package value

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
)

// digitMatcher is a regular expression anchored at the start ("^(?:...)",
// as libphonenumber builds its patterns) that matches strings of ASCII
// digits with a deterministic automaton: one table look-up a digit. Go's
// regexp runs such a pattern with its backtracker, which took 150 to 300
// ns for a national number against one of the large patterns of the
// metadata (Germany's fixed lines: 4,000 characters), and a number is
// matched against two to ten of them.
//
// The automaton is built from the very program regexp runs (the same
// syntax.Parse, Simplify and Compile), by the subset construction over the
// ten digits, so it accepts what the program accepts; any other input goes
// to the compiled regexp itself.
type digitMatcher struct {
	re    *regexp.Regexp
	next  [][10]int32 // by state; dead where no match can follow
	found []bool      // by state: a match has ended by here, whatever follows
	atEnd []bool      // by state: a match ends here if the input does
}

const (
	dead = -1
	// maxStates bounds the automaton of one pattern; a pattern that needs
	// more is matched by regexp alone. The metadata's largest needs 280
	// (TestDigitMatcherMatchesAsRegexp).
	maxStates = 20_000
)

// compileDigits compiles expr, which must start with ^.
func compileDigits(expr string) *digitMatcher {
	m := &digitMatcher{re: regexp.MustCompile(expr)}
	if !strings.HasPrefix(expr, "^") {
		panic("compileDigits: " + expr + " is not anchored at the start")
	}
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return m // unreachable: regexp compiled it
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil || !m.build(prog) {
		m.next, m.found, m.atEnd = nil, nil, nil
	}
	return m
}

// MatchString reports whether s matches, as m.re.MatchString(s) does.
func (m *digitMatcher) MatchString(s string) bool {
	if m.next == nil {
		return m.re.MatchString(s)
	}
	state := int32(0)
	for i := 0; i < len(s); i++ {
		if m.found[state] {
			return true
		}
		c := s[i]
		if c < '0' || c > '9' {
			return m.re.MatchString(s)
		}
		if state = m.next[state][c-'0']; state == dead {
			return false
		}
	}
	return m.found[state] || m.atEnd[state]
}

// build makes the automaton: a state is the set of instructions the
// program's threads are at before their closure, with, for the first
// state only, the start of the text.
func (m *digitMatcher) build(prog *syntax.Prog) bool {
	ids := map[string]int32{}
	var sets [][]uint32
	add := func(set []uint32) int32 {
		slices.Sort(set)
		set = slices.Compact(set)
		key := setKey(set) // the first state, at the start of the text, has none
		if id, ok := ids[key]; ok {
			return id
		}
		id := int32(len(sets))
		ids[key] = id
		sets = append(sets, set)
		return id
	}
	ids[""] = 0
	sets = append(sets, []uint32{uint32(prog.Start)})
	for s := 0; s < len(sets); s++ {
		if len(sets) > maxStates {
			return false
		}
		start := s == 0
		threads, foundMid, ok := closure(prog, sets[s], start, false)
		if !ok {
			return false
		}
		_, foundEnd, _ := closure(prog, sets[s], start, true)
		m.found = append(m.found, foundMid)
		m.atEnd = append(m.atEnd, foundEnd)
		var row [10]int32
		for d := range row {
			var next []uint32
			for _, pc := range threads {
				if matchesRune(&prog.Inst[pc], rune('0'+d)) {
					next = append(next, prog.Inst[pc].Out)
				}
			}
			row[d] = dead
			if len(next) > 0 {
				row[d] = add(next)
			}
		}
		m.next = append(m.next, row)
	}
	return true
}

// closure follows the empty transitions from set at a position that is
// the start of the text or not, and the end of it or not. It returns the
// instructions that wait for a rune and whether a match is reached; ok is
// false for an assertion this automaton does not model (word boundaries).
func closure(prog *syntax.Prog, set []uint32, start, end bool) (threads []uint32, found, ok bool) {
	seen := make(map[uint32]bool, len(set))
	stack := slices.Clone(set)
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] {
			continue
		}
		seen[pc] = true
		inst := &prog.Inst[pc]
		switch inst.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, inst.Out, inst.Arg)
		case syntax.InstCapture, syntax.InstNop:
			stack = append(stack, inst.Out)
		case syntax.InstEmptyWidth:
			op := syntax.EmptyOp(inst.Arg)
			if op&^(syntax.EmptyBeginText|syntax.EmptyBeginLine|syntax.EmptyEndText|syntax.EmptyEndLine) != 0 {
				return nil, false, false
			}
			if (op&(syntax.EmptyBeginText|syntax.EmptyBeginLine) == 0 || start) &&
				(op&(syntax.EmptyEndText|syntax.EmptyEndLine) == 0 || end) {
				stack = append(stack, inst.Out)
			}
		case syntax.InstMatch:
			found = true
		case syntax.InstFail:
		default: // a rune
			threads = append(threads, pc)
		}
	}
	slices.Sort(threads)
	return threads, found, true
}

// matchesRune is whether the rune instruction inst consumes r.
func matchesRune(inst *syntax.Inst, r rune) bool {
	switch inst.Op {
	case syntax.InstRune1:
		return inst.Rune[0] == r
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return r != '\n'
	default:
		return inst.MatchRune(r)
	}
}

func setKey(set []uint32) string {
	var b strings.Builder
	for _, pc := range set {
		b.WriteString(strconv.FormatUint(uint64(pc), 36))
		b.WriteByte(',')
	}
	return b.String()
}
