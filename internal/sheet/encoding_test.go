package sheet

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// Texts in the languages tenants write, as a spreadsheet program saves
// them: a header and a few rows. Each test makes its file from them with
// an encoder; none is committed.
var (
	polishText = "Nazwa firmy;Miasto;Ulica;Opiekun\n" +
		"Spółka Łódź;Łódź;ul. Piotrkowska 5;Michał Żółć\n" +
		"Zakład Usług Różnych;Kraków;ul. Świętokrzyska 12;Paweł Gęś\n" +
		"Źródło Sp. z o.o.;Poznań;ul. Mąkowa 3;Anna Wąsik\n"
	polishShort = "Nazwa;Miasto\nSpółka Łódź;Łódź\nZakład Różnych;Kraków\n"
	czechText   = "Název;Město;Ulice\n" +
		"Český Krumlov s.r.o.;Plzeň;Náměstí Míru 3\n" +
		"Dvořák a syn;Brno;Šťastná 8\n" +
		"Železářství Kůň;Ústí nad Labem;Třída Žižkova 1\n"
	hungarianText = "Név;Város;Utca\n" +
		"Kovács és Társa Kft.;Győr;Szőlő utca 3\n" +
		"Szűcs Bt.;Pécs;Fő tér 1\n"
	germanText = "Firma;Ort;Straße\n" +
		"Müller GmbH;Köln;Königstraße 5\n" +
		"Bäckerei Schäfer;München;Große Gasse 12\n" +
		"Öko-Gärtner KG;Düsseldorf;Weißdornweg 3\n"
	frenchText = "Société;Ville;Adresse\n" +
		"Café Élan SARL;Besançon;12 rue de la Paix\n" +
		"Crème brûlée et fils;Orléans;3 place à côté de l’église\n" +
		"Cœur de Lyon;Saint-Étienne;5 allée des Pêcheurs\n"
	swedishText = "Företag;Ort;Gatuadress\n" +
		"Åkerlund & Söner AB;Göteborg;Storgatan 5\n" +
		"Björk Ärlig;Malmö;Östra vägen 2\n"
	portugueseText = "Razão social;Cidade;Endereço\n" +
		"Conceição Ltda;São Paulo;Rua das Flores 5\n" +
		"Irmãos Gonçalves;Brasília;Avenida Paulista 1000\n" +
		"Pão de Açúcar;Florianópolis;Praça da Sé 1\n"
)

func encode(t testing.TB, enc encoding.Encoding, text string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatalf("encode %q: %v", text, err)
	}
	return b
}

// long repeats the rows of text until the file is past the detection
// sample, numbering the first cell so no two rows are alike.
func long(text string, rows int) string {
	lines := strings.SplitAfter(strings.TrimSuffix(text, "\n"), "\n")
	var b strings.Builder
	b.WriteString(lines[0])
	if !strings.HasSuffix(lines[0], "\n") {
		b.WriteString("\n")
	}
	body := lines[1:]
	for i := 0; i < rows; i++ {
		line := strings.TrimSuffix(body[i%len(body)], "\n")
		fmt.Fprintf(&b, "%s %d%s\n", line[:strings.IndexByte(line, ';')], i, line[strings.IndexByte(line, ';'):])
	}
	return b.String()
}

// cellsOf is text cut into rows and cells, as the reader should give it.
func cellsOf(text string) (header []string, rows [][]string) {
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if i == 0 {
			header = strings.Split(line, ";")
			continue
		}
		rows = append(rows, strings.Split(line, ";"))
	}
	return header, rows
}

func TestSingleByteEncodingsReadRight(t *testing.T) {
	type file struct {
		lang string
		text string
		enc  encoding.Encoding
		name string // the encoding the reader must report
	}
	files := []file{
		{"Polish", polishText, charmap.Windows1250, "windows-1250"},
		{"Polish", polishText, charmap.ISO8859_2, "iso-8859-2"},
		{"Polish short", polishShort, charmap.Windows1250, "windows-1250"},
		{"Polish short", polishShort, charmap.ISO8859_2, "iso-8859-2"},
		{"Czech", czechText, charmap.Windows1250, "windows-1250"},
		{"Czech", czechText, charmap.ISO8859_2, "iso-8859-2"},
		{"Hungarian", hungarianText, charmap.Windows1250, "windows-1250"},
		{"German", germanText, charmap.Windows1252, "windows-1252"},
		{"French", frenchText, charmap.Windows1252, "windows-1252"},
		{"Swedish", swedishText, charmap.Windows1252, "windows-1252"},
		{"Portuguese", portugueseText, charmap.Windows1252, "windows-1252"},
	}
	locales := map[string]string{"Polish": "pl-PL", "Polish short": "pl-PL", "Czech": "cs-CZ", "Hungarian": "hu-HU",
		"German": "de-DE", "French": "fr-FR", "Swedish": "sv-SE", "Portuguese": "pt-BR"}
	for _, f := range files {
		for _, size := range []string{"short", "long"} {
			text := f.text
			if size == "long" {
				text = long(f.text, 3000) // about 150 KB, past the 64 KiB sample
			}
			header, rows := cellsOf(text)
			for _, locale := range []string{"", locales[f.lang]} {
				name := fmt.Sprintf("%s %s %s locale %q", size, f.lang, f.name, locale)
				t.Run(name, func(t *testing.T) {
					got := readCSV(t, encode(t, f.enc, text), Options{Locale: locale})
					if got.err != "" || len(got.rowErrs) > 0 {
						t.Fatalf("OpenCSV(%s) = %q %q, want no error", name, got.err, got.rowErrs)
					}
					if got.info.Encoding != f.name {
						t.Errorf("OpenCSV(%s).Info().Encoding = %q, want %q", name, got.info.Encoding, f.name)
					}
					if !reflect.DeepEqual(got.header, header) {
						t.Errorf("OpenCSV(%s).Header() = %q, want %q", name, got.header, header)
					}
					if !reflect.DeepEqual(got.rows, rows) {
						t.Errorf("OpenCSV(%s) rows = %q, want %q", name, head(got.rows), head(rows))
					}
				})
			}
		}
	}
}

func head(rows [][]string) [][]string { return rows[:min(len(rows), 3)] }

// A file whose first letter beyond ASCII comes after the sample is read
// in the encoding of that letter's line.
func TestOpenDetectsCentralEuropeanPastThePrefix(t *testing.T) {
	filler := strings.Repeat("Firma;Miasto\n", 6000) // 78 KB of ASCII
	for _, enc := range []struct {
		enc  encoding.Encoding
		name string
	}{{charmap.Windows1250, "windows-1250"}, {charmap.ISO8859_2, "iso-8859-2"}} {
		t.Run(enc.name, func(t *testing.T) {
			path := writeFile(t, "late.csv", encode(t, enc.enc, "Nazwa;Miasto\n"+filler+"Spółka Łódź;Świętochłowice\n"))
			r, err := Open(path, Options{})
			if err != nil {
				t.Fatalf("Open() = %v", err)
			}
			defer r.Close()
			_, rows := readAll(t, r)
			if got := r.Info().Encoding; got != enc.name {
				t.Errorf("Info().Encoding = %q, want %q", got, enc.name)
			}
			last := rows[len(rows)-1]
			if want := []string{"Spółka Łódź", "Świętochłowice"}; last.Number != 6002 || !reflect.DeepEqual(texts([]Row{last}), [][]string{want}) {
				t.Errorf("last row = %d %q, want 6002 %q", last.Number, texts([]Row{last}), want)
			}
		})
	}
}

func TestEncodingChoiceThatContradictsTheFile(t *testing.T) {
	utf8Text := []byte("Firma;Ort\nMüller GmbH;Köln\n")
	tests := []struct {
		name  string
		input []byte
		opts  Options
		want  string
	}{
		{
			name:  "UTF-8 file read as windows-1252",
			input: utf8Text,
			opts:  Options{Encoding: "windows-1252"},
			want:  `row 2, column A "Firma": the file is in UTF-8, not windows-1252: read as windows-1252, "Müller GmbH" would become "MÃ¼ller GmbH"; choose utf-8, or leave the encoding to be detected`,
		},
		{
			name:  "UTF-8 file read as iso-8859-2",
			input: []byte("Nazwa;Miasto\nSpółka;Łódź\n"),
			opts:  Options{Encoding: "iso-8859-2"},
			want:  `row 2, column A "Nazwa": the file is in UTF-8, not iso-8859-2: read as iso-8859-2, "Spółka" would become "SpĂłĹ?ka"; choose utf-8, or leave the encoding to be detected`,
		},
		{
			name:  "UTF-8 header read as windows-1252",
			input: []byte("Straße;Ort\nA;B\n"),
			opts:  Options{Encoding: "windows-1252"},
			want:  `row 1, column A: the file is in UTF-8, not windows-1252: read as windows-1252, "Straße" would become "StraÃŸe"; choose utf-8, or leave the encoding to be detected`,
		},
		{
			name:  "Polish windows-1250 file read as windows-1252",
			input: encode(t, charmap.Windows1250, polishText),
			opts:  Options{Encoding: "windows-1252"},
			want:  `row 2, column A "Nazwa firmy": read as windows-1252, the text is "Spó³ka £ódŸ", which has "³" between letters, which no language writes; read as windows-1250, it is "Spółka Łódź": choose windows-1250, or leave the encoding to be detected`,
		},
		{
			name:  "Polish iso-8859-2 file read as windows-1252",
			input: encode(t, charmap.ISO8859_2, polishShort),
			opts:  Options{Encoding: "windows-1252"},
			want:  `row 2, column A "Nazwa": read as windows-1252, the text is "Spó³ka £ód¼", which has "³" between letters, which no language writes; read as iso-8859-2, it is "Spółka Łódź": choose iso-8859-2, or leave the encoding to be detected`,
		},
		{
			name:  "windows-1250 file read as iso-8859-2 has bytes that mean nothing there",
			input: encode(t, charmap.Windows1250, "Nazwa;Miasto\nŚwiat;Kraków\n"),
			opts:  Options{Encoding: "iso-8859-2"},
			want:  `row 2, column A "Nazwa": read as iso-8859-2, the text is "?wiat", which holds the byte 0x8C, which iso-8859-2 does not use for text; read as windows-1250, it is "Świat": choose windows-1250, or leave the encoding to be detected`,
		},
		{
			name:  "windows-1252 file read as UTF-8",
			input: encode(t, charmap.Windows1252, "Name;Ort\nMüller;Köln\n"),
			opts:  Options{Encoding: "utf-8"},
			want:  `row 2, column A "Name": the text is not UTF-8 ("M?ller"); read as windows-1252, it is "Müller": choose windows-1252, or leave the encoding to be detected`,
		},
		{
			name:  "a file without zero bytes read as UTF-16",
			input: utf8Text,
			opts:  Options{Encoding: "utf-16le"},
			want:  `the file is not in utf-16le: UTF-16 text has a zero byte beside every Latin letter, and this file has none; choose the encoding the file was saved in, or leave the encoding to be detected`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := OpenCSV(strings.NewReader(string(tt.input)), tt.opts)
			var e *Error
			if !errors.As(err, &e) || err.Error() != tt.want {
				t.Errorf("OpenCSV(%q, %+v) = %v,\n want *Error %s", tt.input, tt.opts, err, tt.want)
			}
		})
	}
}

// Choices that read the file as it was written are taken.
func TestEncodingChoiceThatFitsTheFile(t *testing.T) {
	tests := []struct {
		name   string
		input  []byte
		choice string
		want   [][]string
	}{
		{"windows-1250 for a windows-1250 file", encode(t, charmap.Windows1250, polishShort), "windows-1250", [][]string{{"Spółka Łódź", "Łódź"}, {"Zakład Różnych", "Kraków"}}},
		{"iso-8859-2 for an iso-8859-2 file", encode(t, charmap.ISO8859_2, polishShort), "ISO-8859-2", [][]string{{"Spółka Łódź", "Łódź"}, {"Zakład Różnych", "Kraków"}}},
		{"iso-8859-1 for a windows-1252 file", encode(t, charmap.Windows1252, "Name;Ort\nMüller;Köln\n"), "iso-8859-1", [][]string{{"Müller", "Köln"}}},
		{"windows-1252 for a plain ASCII file", []byte("Name;Ort\nSmith;Leeds\n"), "windows-1252", [][]string{{"Smith", "Leeds"}}},
		{"utf-8 for a UTF-8 file", []byte("Nazwa;Miasto\nSpółka;Łódź\n"), "utf-8", [][]string{{"Spółka", "Łódź"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readCSV(t, tt.input, Options{Encoding: tt.choice})
			if got.err != "" || !reflect.DeepEqual(got.rows, tt.want) {
				t.Errorf("OpenCSV(%q, %s) = %q %q, want %q", tt.input, tt.choice, got.rows, got.err, tt.want)
			}
		})
	}
}

// A choice is checked where the file's first letter beyond ASCII is, and
// the refusal names that row.
func TestOpenChecksTheChoicePastThePrefix(t *testing.T) {
	filler := strings.Repeat("name;city\n", 8000) // rows 2 to 8001
	path := writeFile(t, "late.csv", []byte("Name;City\n"+filler+"Müller GmbH;Köln\n"))
	_, err := Open(path, Options{Encoding: "windows-1252"})
	want := `row 8002, column A "Name": the file is in UTF-8, not windows-1252: read as windows-1252, "Müller GmbH" would become "MÃ¼ller GmbH"; choose utf-8, or leave the encoding to be detected`
	if err == nil || err.Error() != want {
		t.Errorf("Open(UTF-8 file, windows-1252) = %v,\n want %s", err, want)
	}
}

// Text that reads as no language writes it, in whichever encoding, is
// refused with a sample cell, never imported.
func TestMojibakeIsRefused(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		want  string
	}{
		{
			name:  "UTF-8 file holding text damaged by an earlier conversion",
			input: []byte("Firma;Ort\nMüller GmbH;Köln\nMÃ¼ller GmbH;Köln\n"),
			want:  `row 3, column A "Firma": "MÃ¼ller GmbH" has "¼" between letters, which no language writes: the text was damaged before it reached this file, by a program that read it in another encoding than it was written in (it may have been "Müller GmbH"); correct the text, or export the file again from where it came from`,
		},
		{
			name:  "UTF-8 file holding Polish read as Western before",
			input: []byte("Nazwa;Miasto\nSpó³ka;Kraków\n"),
			want:  `row 2, column A "Nazwa": "Spó³ka" has "³" between letters, which no language writes: the text was damaged before it reached this file, by a program that read it in another encoding than it was written in (it may have been "Spółka"); correct the text, or export the file again from where it came from`,
		},
		{
			name:  "a file in an encoding no candidate reads",
			input: encode(t, charmap.CodePage852, "Nazwa;Miasto\nSpółka Łódź;Łódź\nZakład Usług;Kraków\n"),
			want:  `row 2, column A "Nazwa": "Sp¢ˆka ?¢d«" has "¢" between letters, which no language writes: the text encoding of the file could not be recognised (read as windows-1252); choose the encoding the file was saved in (such as windows-1250 for Central European or windows-1252 for Western European text) or save the file as CSV UTF-8`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := OpenCSV(strings.NewReader(string(tt.input)), Options{})
			var e *Error
			if !errors.As(err, &e) || err.Error() != tt.want {
				t.Errorf("OpenCSV(%q) = %v,\n want *Error %s", tt.input, err, tt.want)
			}
		})
	}
}

// Other scripts than Latin are left to chardet, which knows them.
func TestOtherScriptsAreDetected(t *testing.T) {
	text := "Имя;Город\nПривет Мир ООО;Москва\nЗдравствуйте;Санкт-Петербург\n"
	got := readCSV(t, encode(t, charmap.Windows1251, text), Options{})
	_, rows := cellsOf(text)
	if got.err != "" || got.info.Encoding != "windows-1251" || !reflect.DeepEqual(got.rows, rows) {
		t.Errorf("OpenCSV(windows-1251) = %s %q %q, want windows-1251 %q", got.info.Encoding, got.rows, got.err, rows)
	}
}

func TestMisplacedCharacters(t *testing.T) {
	tests := []struct {
		text string
		want rune // 0: the text is as a language writes it
	}{
		{"Spółka Łódź", 0},
		{"Spó³ka", '³'},
		{"£ódŸ", '£'},
		{"ŁódŸ", 'Ÿ'},
		{"£ód¼", '£'},
		{"Micha³", '³'},
		{"Ró¿a", '¿'},
		{"Bucureºti", 'º'},
		{"MÃ¼ller", '¼'},
		{"StraÃŸe", 'Ã'},
		{"Pozna±", '±'},
		{"12 ¤", '¤'},
		{"a\u0081b", '\u0081'},
		{"10 m³", 0},
		{"5 cm²", 0},
		{"l’été", 0},
		{"O´Brien", 0},
		{"col·lecció", 0},
		{"„Spółka”", 0},
		{"«Élan»", 0},
		{"¿Qué?", 0},
		{"Nº 5", 0},
		{"Mª José", 0},
		{"Târgu Mureº", 'º'},
		{"1º andar", 0},
		{"20 °C", 0},
		{"Rohr Ø50", 0},
		{"1½ Zoll", 0},
		{"Müller®", 0},
		{"Nord–Süd", 0},
		{"12 €", 0},
		{"Ελληνικά", 0},
		{"Ше́ф", 0}, // a combining accent
		{"ジョン・スミス株式会社「東京」", 0},
		{"Dampf\u00ADschiff", 0}, // a soft hyphen
		{"MüllerÖl", 'Ö'},
	}
	for _, tt := range tests {
		if got, _ := firstMisplaced(tt.text); got != tt.want {
			t.Errorf("firstMisplaced(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestTitleLanguages(t *testing.T) {
	tests := []struct {
		titles []string
		want   map[string]bool
	}{
		{[]string{"Nazwa firmy", "Miasto", "Telefon"}, map[string]bool{"pl": true}},
		{[]string{"Firma", "Ort", "Straße"}, map[string]bool{"de": true}},
		{[]string{"Miejscowoœæ"}, map[string]bool{}},
		{[]string{"Kod pocztowy", "Ulica"}, map[string]bool{"pl": true}},
		{[]string{"Nickname"}, map[string]bool{}},
	}
	for _, tt := range tests {
		if got := titleLanguages(tt.titles); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("titleLanguages(%q) = %v, want %v", tt.titles, got, tt.want)
		}
	}
}

// Names alone, the hardest case: one word whose letters could be of a
// Western or a Central European language ("Gdańsk" read as windows-1252 is
// a Spanish-looking "Gdañsk"). With the tenant's locale every one reads
// right; Western ones read right without a locale too, as they did before
// detection knew Central European encodings.
func TestLocaleReadsEveryNameAlone(t *testing.T) {
	sets := []struct {
		locale  string
		enc     encoding.Encoding
		western bool
		names   []string
	}{
		{"pl-PL", charmap.Windows1250, false, []string{"Gdańsk", "Częstochowa", "Wrocław", "Łódź", "Poznań", "Świnoujście", "Jędrzejów", "Kędzierzyn-Koźle", "Ćmielów", "Michał", "Dąbrowa Górnicza", "Żywiec", "Końskie"}},
		{"pl-PL", charmap.ISO8859_2, false, []string{"Gdańsk", "Częstochowa", "Wrocław", "Łódź", "Świnoujście", "Ćmielów", "Dąbrowa Górnicza", "Żywiec"}},
		{"cs-CZ", charmap.Windows1250, false, []string{"Plzeň", "České Budějovice", "Ústí nad Labem", "Třebíč", "Kroměříž", "Žďár nad Sázavou", "Dvořák", "Kučera", "Němec", "Růžička"}},
		{"sk-SK", charmap.Windows1250, false, []string{"Košice", "Žilina", "Trenčín", "Ľubomír", "Štefánik", "Ďurovič", "Kráľ", "Môj dom"}},
		{"hu-HU", charmap.Windows1250, false, []string{"Győr", "Pécs", "Székesfehérvár", "Nyíregyháza", "Szűcs", "Tőke"}},
		{"hr-HR", charmap.Windows1250, false, []string{"Čakovec", "Đakovo", "Šibenik", "Ivić", "Đurđević", "Kovačević"}},
		{"ro-RO", charmap.Windows1250, false, []string{"Bucureşti", "Timişoara", "Constanţa", "Galaţi", "Brăila", "Târgu Mureş"}},
		{"de-DE", charmap.Windows1252, true, []string{"Müller", "Köln", "Straße", "Größe", "Nürnberg"}},
		{"fr-FR", charmap.Windows1252, true, []string{"Besançon", "Crème", "Angoulême", "Cœur", "Noël", "Jérôme", "Gaëlle", "Brûlé", "Mâcon"}},
		{"es-ES", charmap.Windows1252, true, []string{"España", "Logroño", "Cádiz", "Muñoz", "Pingüino"}},
		{"pt-BR", charmap.Windows1252, true, []string{"São Paulo", "Conceição", "Camões", "Guimarães", "Açúcar"}},
		{"it-IT", charmap.Windows1252, true, []string{"Città", "Forlì", "Cantù", "Niccolò", "Caffè"}},
		{"sv-SE", charmap.Windows1252, true, []string{"Göteborg", "Malmö", "Västerås", "Umeå", "Åkerlund"}},
		{"da-DK", charmap.Windows1252, true, []string{"København", "Århus", "Næstved", "Ærø"}},
	}
	for _, set := range sets {
		locales := []string{set.locale}
		if set.western {
			locales = append(locales, "")
		}
		for _, locale := range locales {
			for _, name := range set.names {
				input := encode(t, set.enc, "Name;City\n"+name+";x\n")
				got := readCSV(t, input, Options{Locale: locale})
				if got.err != "" || len(got.rows) != 1 || got.rows[0][0] != name {
					t.Errorf("OpenCSV(%q, locale %q) = %q %s, want %q", input, locale, got.rows, got.err, name)
				}
			}
		}
	}
}

// BenchmarkCSVWindows1250 reads a 100,000-row Polish windows-1250 file with
// detection against the least a reader must do: encoding/csv over the
// decoder of the right encoding, told in advance.
func BenchmarkCSVWindows1250(b *testing.B) {
	path := filepath.Join(b.TempDir(), "klienci.csv")
	var text strings.Builder
	text.WriteString("Numer klienta;Nazwa firmy;Miasto;Ulica\n")
	for i := 0; i < benchRows; i++ {
		fmt.Fprintf(&text, "%d;Spółka Łódź %d Sp. z o.o.;Łódź;ul. Świętokrzyska %d\n", 100000+i, i, i%300)
	}
	if err := os.WriteFile(path, encode(b, charmap.Windows1250, text.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	decoded := func(b *testing.B, path string) int {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		r := csv.NewReader(charmap.Windows1250.NewDecoder().Reader(f))
		r.Comma = ';'
		n := 0
		for {
			if _, err := r.Read(); err == io.EOF {
				return n - 1
			} else if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	compare(b, path, decoded, readOurs)
}
