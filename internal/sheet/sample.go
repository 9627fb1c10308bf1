package sheet

import (
	"bytes"
	"encoding/csv"
	"strings"
	"sync"

	"github.com/crmimport/crm-import/internal/schema"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// A sample is the part of a CSV file that encoding detection reads, cut
// into cells as the reader will cut them: the header's titles and every
// cell holding a byte beyond ASCII, with the row and column the tenant
// sees it in. Its rows count from 1 at its first line.
type sample struct {
	header  []string // raw titles
	cells   []sampleCell
	atStart bool // the sample is the file's beginning: its row 1 is the header
}

type sampleCell struct {
	row, col int // col is 0-based
	raw      string
}

// cutSample cuts text, the raw bytes of a sample, into cells. atStart says
// that text is the file's beginning: its first line may be Excel's "sep="
// line and the next its header. An incomplete sample ends with a cut line,
// which is left out.
func cutSample(text []byte, delim rune, complete, atStart bool) sample {
	s := sample{atStart: atStart}
	if !complete {
		if i := bytes.LastIndexByte(text, '\n'); i >= 0 {
			text = text[:i+1]
		}
	}
	if atStart {
		if d, n := sepLine(text); n > 0 {
			text = text[n:]
			if delim == 0 {
				delim = d
			}
		}
	}
	if delim == 0 {
		delim = detectDelimiter(text, true)
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = delim
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	row, nextLine := 0, 1 // counted as csvSource counts them
	for {
		rec, err := r.Read()
		if err != nil {
			return s // the end, or a problem the reader will report itself
		}
		line, _ := r.FieldPos(0)
		row += 1 + line - nextLine
		spanned := 1
		for i, f := range rec {
			spanned += strings.Count(f, "\n")
			if firstNonASCII([]byte(f)) >= 0 {
				s.cells = append(s.cells, sampleCell{row: row, col: i, raw: f})
			}
		}
		nextLine = line + spanned
		if atStart && row == 1 {
			s.header = rec
		}
	}
}

// hasNonASCII reports whether the sample holds a byte beyond ASCII.
func (s sample) hasNonASCII() bool { return len(s.cells) > 0 }

// A candidate is a single-byte encoding detection considers, with the
// languages written in it.
type candidate struct {
	name  string // WHATWG name
	langs []string
}

var (
	western = []string{"de", "fr", "es", "pt", "it", "ca", "nl", "sv", "fi", "da", "no", "is"}
	central = []string{"pl", "cs", "sk", "hu", "hr", "sl", "ro", "de"}
)

// candidates in the order that wins a tie: what Windows programs write
// before their ISO cousins, Western before Central European, as most
// files are.
var candidates = []candidate{
	{"windows-1252", western},
	{"windows-1250", central},
	{"iso-8859-15", western},
	{"iso-8859-2", central},
	{"windows-1254", append([]string{"tr"}, western...)},
}

func (c candidate) encoding() encoding.Encoding {
	enc, err := htmlindex.Get(c.name)
	if err != nil {
		panic("sheet: unknown candidate encoding " + c.name)
	}
	return enc
}

// A reading is a sample decoded with one encoding, and what its words
// tell: how many are clean (spelt in one of the encoding's languages),
// mixed (letters no one language writes together) or bad (a character no
// language writes there), and how strongly they point to each language.
type reading struct {
	name              string
	enc               encoding.Encoding // nil for UTF-8
	langs             []string
	clean, mixed, bad int
	fits              []int           // summed word weights, by langs
	titleLangs        map[string]bool // the languages of the decoded titles
	header            []string        // decoded titles
	first             *flagged        // the first cell with a bad word
	s                 *sample
}

// flagged is a cell of a reading with a character no language writes
// where it is.
type flagged struct {
	cell int // index in sample.cells
	char rune
}

// read decodes the sample with enc (nil for UTF-8) and judges its words
// by langs; with no langs, only bad words count.
func (s *sample) read(name string, enc encoding.Encoding, langs []string) reading {
	rd := reading{name: name, enc: enc, langs: langs, fits: make([]int, len(langs)), s: s}
	weights := make([]*[maxLetter]uint8, len(langs))
	for i, l := range langs {
		weights[i] = letterWeights[l]
	}
	for _, t := range s.header {
		rd.header = append(rd.header, rd.decode(t))
	}
	rd.titleLangs = titleLanguages(rd.header)
	table := byteTable(enc)
	var runes []rune
	for i, c := range s.cells {
		runes = appendRunes(runes[:0], c.raw, table)
		eachWord(runes, func(w word) {
			if w.bad != 0 {
				rd.bad++
				if rd.first == nil {
					rd.first = &flagged{cell: i, char: w.bad}
				}
				return
			}
			if len(w.letters) == 0 {
				return
			}
			fits := false
			for j, lw := range weights {
				if n := weight(w.letters, lw); n > 0 {
					rd.fits[j] += n
					fits = true
				}
			}
			if fits || langs == nil {
				rd.clean++
			} else {
				rd.mixed++
			}
		})
	}
	return rd
}

// cell is the text of the sample's cell i in this reading.
func (rd reading) cell(i int) string { return rd.decode(rd.s.cells[i].raw) }

func (rd reading) decode(raw string) string {
	if rd.enc == nil {
		return raw
	}
	text, err := rd.enc.NewDecoder().String(raw)
	if err != nil {
		return strings.ToValidUTF8(raw, "\uFFFD")
	}
	return text
}

// byteTable is what each byte decodes to in a single-byte encoding; nil
// for others, which are decoded as UTF-8.
func byteTable(enc encoding.Encoding) *[256]rune {
	cm, ok := enc.(*charmap.Charmap)
	if !ok {
		return nil
	}
	var t [256]rune
	for b := range t {
		t[b] = cm.DecodeByte(byte(b))
	}
	return &t
}

// appendRunes appends the characters of raw to runes, through table when
// it is set, else as UTF-8 (a byte that is not UTF-8 is RuneError).
func appendRunes(runes []rune, raw string, table *[256]rune) []rune {
	if table != nil {
		for i := 0; i < len(raw); i++ {
			runes = append(runes, table[raw[i]])
		}
		return runes
	}
	for _, r := range raw {
		runes = append(runes, r)
	}
	return runes
}

// fit is the summed weight of the reading's words in lang.
func (rd reading) fit(lang string) int {
	for i, l := range rd.langs {
		if l == lang {
			return rd.fits[i]
		}
	}
	return 0
}

// score is how plausible the reading is as text of one language: the
// weight of the words of its most telling language, doubled for the
// languages the tenant is known to write (the locale, the column
// titles), less what mixed and bad words cost.
func (rd reading) score(hints map[string]bool) int {
	best := 0
	for i, lang := range rd.langs {
		n := rd.fits[i]
		if hints[lang] || rd.titleLangs[lang] {
			n *= 2
		}
		best = max(best, n)
	}
	return best - 2*rd.mixed - 10*rd.bad
}

// plausible reports whether the reading is text the tenant could have
// written: no bad word, and mostly clean ones.
func (rd reading) plausible() bool { return rd.bad == 0 && rd.mixed <= rd.clean }

// titleIndex maps each folded column title the schema knows to the
// languages it is a title in; English and Zoho's titles do not tell a
// language apart from another.
var titleIndex = sync.OnceValue(func() map[string][]string {
	idx := map[string][]string{}
	for _, e := range schema.All() {
		for _, f := range e.Fields {
			for lang, titles := range f.Titles {
				if lang == schema.EN || lang == schema.Zoho {
					continue
				}
				for _, t := range titles {
					k := schema.Fold(t)
					if !containsString(idx[k], string(lang)) {
						idx[k] = append(idx[k], string(lang))
					}
				}
			}
		}
	}
	return idx
})

// titleLanguages returns the languages most of the titles are known in:
// "Nazwa firmy;Miasto;Telefon" is Polish ("Telefon" is German too).
func titleLanguages(titles []string) map[string]bool {
	count := map[string]int{}
	most := 0
	for _, t := range titles {
		for _, l := range titleIndex()[schema.Fold(t)] {
			count[l]++
			most = max(most, count[l])
		}
	}
	langs := map[string]bool{}
	for l, n := range count {
		if n == most {
			langs[l] = true
		}
	}
	return langs
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// localeLanguage returns the language of a locale tag: "pl" for "pl-PL".
func localeLanguage(locale string) string {
	lang, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(locale)), "-")
	lang, _, _ = strings.Cut(lang, "_")
	switch lang {
	case "nb", "nn":
		return "no"
	}
	return lang
}
