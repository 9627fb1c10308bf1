package sheet

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
)

// Refusals of text that an encoding turns into mojibake, each naming a
// sample cell (row, column, value) and, where another encoding reads that
// cell as a language writes it, that encoding and what it reads.

// leaveIt ends a refusal of the tenant's choice of encoding.
const leaveIt = "or leave the encoding to be detected"

// unrecognised refuses a file that no candidate encoding reads as text:
// best is the most plausible reading, all every candidate's.
func unrecognised(s sample, best reading, all []reading) *Error {
	f := best.first
	text := best.cell(f.cell)
	reason := fmt.Sprintf("%q %s: the text encoding of the file could not be recognised (read as %s)", shown(text), best.describe(s, f), best.name)
	if alt := alternative(all, f.cell, best.name); alt != nil {
		reason += fmt.Sprintf("; read as %s, it is %q", alt.name, shown(alt.cell(f.cell)))
	}
	reason += "; choose the encoding the file was saved in (such as windows-1250 for Central European or windows-1252 for Western European text) or save the file as CSV UTF-8"
	return cellError(s, best, f.cell, reason)
}

// damagedText refuses UTF-8 text holding mojibake that was in the file
// already: the program that made the file had read it in another encoding
// than it was written in.
func damagedText(s sample, rd reading) *Error {
	f := rd.first
	text := rd.cell(f.cell)
	reason := fmt.Sprintf("%q %s: the text was damaged before it reached this file, by a program that read it in another encoding than it was written in", shown(text), rd.describe(s, f))
	if fixed := repair(text); fixed != "" {
		reason += fmt.Sprintf(" (it may have been %q)", shown(fixed))
	}
	reason += "; correct the text, or export the file again from where it came from"
	return cellError(s, rd, f.cell, reason)
}

// notSingleByte refuses the choice of another encoding for a file that is
// valid UTF-8 and holds letters beyond ASCII: reading it so would store
// "MÃ¼ller GmbH" for "Müller GmbH".
func notSingleByte(s sample, utf8Reading, chosen reading) *Error {
	reason := fmt.Sprintf("the file is in UTF-8, not %s: read as %s, %q would become %q; choose utf-8, %s",
		chosen.name, chosen.name, shown(utf8Reading.cell(0)), shown(chosen.cell(0)), leaveIt)
	return cellError(s, utf8Reading, 0, reason)
}

// wrongChoice refuses the tenant's encoding when it reads a cell as no
// language writes it; all are the candidates' readings, best first.
func wrongChoice(s sample, chosen reading, all []reading) *Error {
	f := chosen.first
	text := chosen.cell(f.cell)
	reason := fmt.Sprintf("read as %s, the text is %q, which %s", chosen.name, shown(text), chosen.describe(s, f))
	if alt := alternative(all, f.cell, chosen.name); alt != nil {
		reason += fmt.Sprintf("; read as %s, it is %q: choose %s, %s", alt.name, shown(alt.cell(f.cell)), alt.name, leaveIt)
	} else {
		reason += fmt.Sprintf("; the file is not in %s: choose the encoding it was saved in, or save the file as CSV UTF-8", chosen.name)
	}
	return cellError(s, chosen, f.cell, reason)
}

// notUTF8 refuses the choice of UTF-8 for a file that is not: cell is the
// first cell that is not valid UTF-8.
func notUTF8(s sample, cell int, all []reading) *Error {
	reason := fmt.Sprintf("the text is not UTF-8 (%q)", shown(strings.ToValidUTF8(s.cells[cell].raw, "?")))
	if alt := alternative(all, cell, "utf-8"); alt != nil {
		reason += fmt.Sprintf("; read as %s, it is %q: choose %s, %s", alt.name, shown(alt.cell(cell)), alt.name, leaveIt)
	} else {
		reason += "; choose the encoding the file was saved in, " + leaveIt
	}
	rd := reading{}
	if len(all) > 0 {
		rd = all[0]
	}
	return cellError(s, rd, cell, reason)
}

// alternative returns the reading, other than the one named not, that
// reads the cell as a language writes it: a wholly plausible reading if
// there is one, in the order given, else any.
func alternative(all []reading, cell int, not string) *reading {
	for _, wholly := range []bool{true, false} {
		for i, rd := range all {
			if rd.name == not || wholly && !rd.plausible() {
				continue
			}
			if bad, _ := firstMisplaced(rd.cell(cell)); bad == 0 {
				return &all[i]
			}
		}
	}
	return nil
}

// describe says, for a tenant, what is wrong with the flagged cell of the
// reading.
func (rd reading) describe(s sample, f *flagged) string {
	text := rd.cell(f.cell)
	switch char := f.char; {
	case char >= 0x80 && char <= 0x9F || char == utf8.RuneError:
		if b, ok := undefinedByte(s.cells[f.cell].raw, rd.enc); ok {
			return fmt.Sprintf("holds the byte 0x%02X, which %s does not use for text", b, rd.name)
		}
		if rd.enc == nil {
			return `holds "\uFFFD", the mark of text lost in an earlier conversion`
		}
		return fmt.Sprintf("holds bytes that %s cannot read", rd.name)
	case char == '¤':
		return `holds "¤", a sign no text uses`
	case isLetter(char):
		return fmt.Sprintf("has a capital %q after a small letter, which no language writes", string(char))
	case isBetweenLetters(text, char):
		return fmt.Sprintf("has %q between letters, which no language writes", string(char))
	default:
		return fmt.Sprintf("has %q next to a letter, which no language writes", string(char))
	}
}

// undefinedByte returns the first byte of raw that enc, a single-byte
// encoding, reads as no character (a C1 control or the replacement
// character).
func undefinedByte(raw string, enc encoding.Encoding) (byte, bool) {
	table := byteTable(enc)
	if table == nil {
		return 0, false
	}
	for i := 0; i < len(raw); i++ {
		if r := table[raw[i]]; r >= 0x80 && r <= 0x9F || r == utf8.RuneError {
			return raw[i], true
		}
	}
	return 0, false
}

// shown is a cell's text for a message: clipped, with the invisible C1
// controls as "?".
func shown(text string) string {
	return clip(strings.Map(func(r rune) rune {
		if r >= 0x80 && r <= 0x9F || r == utf8.RuneError || unicode.IsControl(r) && r != '\n' && r != '\t' {
			return '?'
		}
		return r
	}, text))
}

// cellError is a refusal located at a sample cell, with the column's
// title as rd reads it for a data row.
func cellError(s sample, rd reading, cell int, reason string) *Error {
	c := s.cells[cell]
	e := &Error{Row: c.row, Column: c.col + 1, Reason: reason}
	if (c.row > 1 || !s.atStart) && c.col < len(rd.header) {
		e.Title = strings.TrimSpace(rd.header[c.col])
	}
	return e
}

// repair undoes the usual kinds of mojibake: UTF-8 read as a single-byte
// encoding ("MÃ¼ller"), or one single-byte encoding read as another
// ("Spó³ka"), before being saved as UTF-8. It returns "" when no way of
// undoing it gives text a language writes.
func repair(text string) string {
	for _, wrong := range candidates {
		b, err := wrong.encoding().NewEncoder().String(text)
		if err != nil || b == text {
			continue
		}
		if utf8.ValidString(b) && isClean(b) {
			return b
		}
		for _, right := range candidates {
			if right.name == wrong.name {
				continue
			}
			if t, err := right.encoding().NewDecoder().String(b); err == nil && t != text && isClean(t) {
				return t
			}
		}
	}
	return ""
}

func isClean(text string) bool {
	bad, _ := firstMisplaced(text)
	return bad == 0
}
