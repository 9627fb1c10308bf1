package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// result is what reading a CSV gave: everything up to the first error
// that ends the stream.
type result struct {
	info    Info
	header  []string
	rows    [][]string
	numbers []int
	rowErrs []string // RowOnly errors, reading went on
	err     string   // the error that ended reading, "" at io.EOF
	// warnings are the reader's, once every row was read.
	warnings []string
}

func readCSV(t *testing.T, input []byte, opts Options) result {
	t.Helper()
	r, err := OpenCSV(bytes.NewReader(input), opts)
	if err != nil {
		return result{err: err.Error()}
	}
	defer r.Close()
	res := result{info: r.Info(), header: r.Header()}
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			res.warnings = r.Warnings()
			return res
		}
		var e *Error
		if errors.As(err, &e) && e.RowOnly {
			res.rowErrs = append(res.rowErrs, err.Error())
			continue
		}
		if err != nil {
			res.err = err.Error()
			return res
		}
		var cells []string
		for _, c := range row.Cells {
			cells = append(cells, c.Text)
		}
		res.rows = append(res.rows, cells)
		res.numbers = append(res.numbers, row.Number)
	}
}

// bareQuote ends the warning about a quote inside a value that does not
// start with one.
const bareQuote = `holds a quote (") but does not start with one, so the quote is read as part of the value, as spreadsheet programs read it; if it was meant to enclose the value, put the whole value in quotes`

func TestCSVReading(t *testing.T) {
	utf16le := func(s string) []byte {
		b, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
		return b
	}
	utf16beNoBOM := func(s string) []byte {
		b, _ := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(s))
		return b
	}
	cp1252 := func(s string) []byte {
		b, _ := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
		return b
	}
	tests := []struct {
		name  string
		input []byte
		opts  Options
		want  result
	}{
		{
			name:  "comma separated with a quoted comma",
			input: []byte("Name,City\n\"Smith, Jones\",Rome\n"),
			want:  result{header: []string{"Name", "City"}, rows: [][]string{{"Smith, Jones", "Rome"}}, numbers: []int{2}},
		},
		{
			name:  "semicolon separated with decimal commas",
			input: []byte("Name;Revenue\nMüller;1.234,56\nSchäfer;2,5\n"),
			want:  result{header: []string{"Name", "Revenue"}, rows: [][]string{{"Müller", "1.234,56"}, {"Schäfer", "2,5"}}, numbers: []int{2, 3}},
		},
		{
			name:  "tab separated",
			input: []byte("Name\tCity\nA, B\tRome; Italy\n"),
			want:  result{header: []string{"Name", "City"}, rows: [][]string{{"A, B", "Rome; Italy"}}, numbers: []int{2}},
		},
		{
			name:  "pipe separated",
			input: []byte("Name|City|Zip\nA;B|Rome|00184\n"),
			want:  result{header: []string{"Name", "City", "Zip"}, rows: [][]string{{"A;B", "Rome", "00184"}}, numbers: []int{2}},
		},
		{
			name:  "separator inside quotes is not counted",
			input: []byte("\"a;b;c;d\",x\n\"1;2;3\",y\n"),
			want:  result{header: []string{"a;b;c;d", "x"}, rows: [][]string{{"1;2;3", "y"}}, numbers: []int{2}},
		},
		{
			name:  "separator chosen by the tenant",
			input: []byte("a,b;c\n1,2;3\n"),
			opts:  Options{Delimiter: ";"},
			want:  result{header: []string{"a,b", "c"}, rows: [][]string{{"1,2", "3"}}, numbers: []int{2}},
		},
		{
			name:  "sep line names the separator and is not a row",
			input: []byte("sep=;\r\nName;City\r\nA,B;Rome\r\n"),
			want:  result{header: []string{"Name", "City"}, rows: [][]string{{"A,B", "Rome"}}, numbers: []int{2}},
		},
		{
			name:  "quoted line breaks and doubled quotes keep row numbers as a spreadsheet shows them",
			input: []byte("Name,Note\nA,\"line 1\nline 2\nline 3\"\nB,\"say \"\"hi\"\"\"\n"),
			want:  result{header: []string{"Name", "Note"}, rows: [][]string{{"A", "line 1\nline 2\nline 3"}, {"B", `say "hi"`}}, numbers: []int{2, 3}},
		},
		{
			name:  "blank lines are empty rows, skipped but counted",
			input: []byte("Name\n\nA\n\n\nB\n"),
			want:  result{header: []string{"Name"}, rows: [][]string{{"A"}, {"B"}}, numbers: []int{3, 6}},
		},
		{
			name:  "rows of empty cells are skipped but counted",
			input: []byte("a;b\n;\n1;2\n"),
			want:  result{header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}, numbers: []int{3}},
		},
		{
			name:  "CRLF line ends",
			input: []byte("a,b\r\n1,2\r\n3,4\r\n"),
			want:  result{header: []string{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}, numbers: []int{2, 3}},
		},
		{
			name:  "CR line ends of old Mac programs",
			input: []byte("a,b\r1,2\r3,4\r"),
			want:  result{header: []string{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}, numbers: []int{2, 3}},
		},
		{
			name:  "UTF-8 byte order mark is not part of the first title",
			input: []byte("\xEF\xBB\xBFName,City\nMüller,Köln\n"),
			want:  result{info: Info{Format: "csv", Encoding: "utf-8", Delimiter: ","}, header: []string{"Name", "City"}, rows: [][]string{{"Müller", "Köln"}}, numbers: []int{2}},
		},
		{
			name:  "UTF-16 little-endian with byte order mark",
			input: utf16le("Name\tCity\r\nŁódź\tKöln\r\n"),
			want:  result{info: Info{Format: "csv", Encoding: "utf-16le", Delimiter: "\t"}, header: []string{"Name", "City"}, rows: [][]string{{"Łódź", "Köln"}}, numbers: []int{2}},
		},
		{
			name:  "UTF-16 big-endian without byte order mark",
			input: utf16beNoBOM("Name;City\nMüller;Köln\n"),
			want:  result{info: Info{Format: "csv", Encoding: "utf-16be", Delimiter: ";"}, header: []string{"Name", "City"}, rows: [][]string{{"Müller", "Köln"}}, numbers: []int{2}},
		},
		{
			name:  "Windows-1252 detected",
			input: cp1252("Name;Straße;Betrag\nMüller;Königstraße 5;12 €\nGößmann;Weißdornweg;3 €\n"),
			want:  result{info: Info{Format: "csv", Encoding: "windows-1252", Delimiter: ";"}, header: []string{"Name", "Straße", "Betrag"}, rows: [][]string{{"Müller", "Königstraße 5", "12 €"}, {"Gößmann", "Weißdornweg", "3 €"}}, numbers: []int{2, 3}},
		},
		{
			name:  "ISO-8859-2 chosen by the tenant",
			input: func() []byte { b, _ := charmap.ISO8859_2.NewEncoder().Bytes([]byte("Miasto\nŁódź\n")); return b }(),
			opts:  Options{Encoding: "iso-8859-2"},
			want:  result{info: Info{Format: "csv", Encoding: "iso-8859-2", Delimiter: ","}, header: []string{"Miasto"}, rows: [][]string{{"Łódź"}}, numbers: []int{2}},
		},
		{
			name:  "short rows are padded",
			input: []byte("a,b,c\n1\n1,2\n"),
			want:  result{header: []string{"a", "b", "c"}, rows: [][]string{{"1", "", ""}, {"1", "2", ""}}, numbers: []int{2, 3}},
		},
		{
			name:  "empty titles at the end and the empty cells under them are dropped",
			input: []byte("a,b,,\n1,2,,\n"),
			want:  result{header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}, numbers: []int{2}},
		},
		{
			name:  "a row with more values than titles is a row error and reading goes on",
			input: []byte("a;b\n1;2;3\n4;5\n"),
			want: result{
				header: []string{"a", "b"}, rows: [][]string{{"4", "5"}}, numbers: []int{3},
				rowErrs: []string{`row 2: has 3 values but only 2 columns have a title: column C holds "3" and has no title; a value containing the separator ";" must be in quotes`},
			},
		},
		{
			name:  "an unclosed quote names its row",
			input: []byte("a,b\n1,2\n3,\"oops\n4,5\n"),
			want:  result{header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}, numbers: []int{2}, err: `row 3: a quoted value is not closed properly: a value that starts with " must end with " before the next separator or line end, and a " inside it must be doubled ("")`},
		},
		{
			name:  "a quote inside an unquoted value is read as written and named in a warning",
			input: []byte("a,b\n1,2 \"inch\"\n"),
			want: result{header: []string{"a", "b"}, rows: [][]string{{"1", `2 "inch"`}}, numbers: []int{2},
				warnings: []string{`row 2, column B "b": the value ‘2 "inch"’ ` + bareQuote}},
		},
		{
			name:  "an inch mark and a coordinate are read as spreadsheet programs read them",
			input: []byte("Product,Size,Where\n27\" monitor,27\",37°36'37.8\"N\n"),
			want: result{header: []string{"Product", "Size", "Where"}, rows: [][]string{{`27" monitor`, `27"`, `37°36'37.8"N`}}, numbers: []int{2},
				warnings: []string{
					`row 2, column A "Product": the value ‘27" monitor’ ` + bareQuote,
					`row 2, column B "Size": the value ‘27"’ ` + bareQuote,
					`row 2, column C "Where": the value ‘37°36'37.8"N’ ` + bareQuote,
				}},
		},
		{
			name:  "an unquoted formula names its column among many",
			input: []byte("Name;City;Web;Email\nAnna;Roma;=HYPERLINK(\"x\");a@example.com\n"),
			want:  result{err: `row 2, column C "Web": the value holds a " but does not start with one; put the value in quotes and double the " inside it ("")`},
		},
		{
			name:  "a quote in a title is read as written, and named without repeating the title",
			input: []byte("a,b 2\"\n1,2\n"),
			want: result{header: []string{"a", `b 2"`}, rows: [][]string{{"1", "2"}}, numbers: []int{2},
				warnings: []string{`row 1, column B: the value ‘b 2"’ ` + bareQuote}},
		},
		{
			name:  "past ten values with a bare quote the others are counted",
			input: []byte("a\n" + strings.Repeat("1\"\n", 13)),
			want: result{header: []string{"a"}, rows: slices.Repeat([][]string{{`1"`}}, 13), numbers: []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14},
				warnings: append(func() (w []string) {
					for row := 2; row <= 11; row++ {
						w = append(w, fmt.Sprintf(`row %d, column A "a": the value ‘1"’ %s`, row, bareQuote))
					}
					return w
				}(), `3 more values hold a quote (") but do not start with one; they are read the same way`)},
		},
		{
			name:  "a quote that leaves a value open to the end of the file refuses it",
			input: []byte("a,b\n1,2\n3,\"27 monitor\n4,x\n5,y\n"),
			want:  result{header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}, numbers: []int{2}, err: `row 3: a quoted value is not closed properly: a value that starts with " must end with " before the next separator or line end, and a " inside it must be doubled ("")`},
		},
		{
			name:  "a quoted value followed by more text refuses the file",
			input: []byte("a,b\n1,2\n\"x\"y,3\n"),
			want:  result{header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}, numbers: []int{2}, err: `row 3: a quoted value is not closed properly: a value that starts with " must end with " before the next separator or line end, and a " inside it must be doubled ("")`},
		},
		{
			name:  "quoted values keep separators, doubled quotes and line ends, CR LF read as LF",
			input: []byte("a,b\r\n\"x,\"\"y\"\"\",\"1\r\n2\"\r\n\r\n3,\"\"\r\n4,5\r"),
			want:  result{header: []string{"a", "b"}, rows: [][]string{{`x,"y"`, "1\n2"}, {"3", ""}, {"4", "5"}}, numbers: []int{2, 4, 5}},
		},
		{
			name:  "a header wider than a sheet can be is refused with its width",
			input: []byte(strings.Repeat("t,", 20_000) + "last\n1\n"),
			want:  result{err: "row 1: the titles run to column ACOG: 20001 columns, more than the 16384 (up to column XFD) a sheet can have in Excel or LibreOffice; the file may be damaged, or its separator not the one detected: save it again from your spreadsheet program"},
		},
		{
			name:  "a row with values past the last column a sheet can have is a row error with its width",
			input: []byte("a,b\n" + strings.Repeat(",", 30_000) + "far\n1,2\n"),
			want: result{header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}, numbers: []int{3},
				rowErrs: []string{`row 2: has 30001 values but only 2 columns have a title: column ARIW holds "far" and has no title; a value containing the separator "," must be in quotes`}},
		},
		{
			name:  "a row of separators past the titles is only a row",
			input: []byte("a,b\n1,2" + strings.Repeat(",", 30_000) + "\n"),
			want:  result{header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}, numbers: []int{2}},
		},
		{
			name:  "a cell over the limit names its row and column",
			input: []byte("a,b\n1,\"" + strings.Repeat("x", 2000) + "\"\n"),
			opts:  Options{MaxCellBytes: 1000},
			want:  result{err: `row 2: the value in column B is longer than 1000 bytes; is a closing quote (") missing?`},
		},
		{
			name:  "unknown encoding",
			input: []byte("a\n1\n"),
			opts:  Options{Encoding: "klingon"},
			want:  result{err: `the encoding "klingon" is not known; use for example utf-8, windows-1252, iso-8859-2, iso-8859-15 or utf-16le`},
		},
		{
			name:  "unsupported separator",
			input: []byte("a\n1\n"),
			opts:  Options{Delimiter: ":"},
			want:  result{err: `the separator ":" is not supported; use one of , ; | or tab`},
		},
		{
			name:  "empty file",
			input: []byte(""),
			want:  result{err: "the file is empty: the first row must hold the column titles"},
		},
		{
			name:  "only blank lines",
			input: []byte("\r\n\r\n  \r\n"),
			want:  result{err: "the file is empty: the first row must hold the column titles"},
		},
		{
			name:  "header only",
			input: []byte("Name;City\r\n"),
			want:  result{err: "the file has column titles but no data rows"},
		},
		{
			name:  "header and empty rows only",
			input: []byte("Name;City\r\n;\r\n\r\n"),
			want:  result{err: "the file has column titles but no data rows"},
		},
		{
			name:  "NUL bytes are binary data",
			input: []byte("a,b\n1,\x002\n"),
			want:  result{err: "the file holds binary data, not text: it is not a CSV file; save it from your spreadsheet program as CSV or XLSX"},
		},
		{
			name:  "a PDF under a CSV name",
			input: append([]byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n"), bytes.Repeat([]byte{0, 1, 2, 3, 0xFF}, 40)...),
			want:  result{err: "the file holds binary data (application/pdf), not text: it is not a CSV file; save it from your spreadsheet program as CSV or XLSX"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readCSV(t, tt.input, tt.opts)
			if tt.want.info.Format == "" {
				got.info = Info{}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("reading %q\n got  %#v\n want %#v", clip(string(tt.input)), got, tt.want)
			}
		})
	}
}

// endless is a CSV whose second row opens a quote that never closes: a
// reader that kept a cell in memory until its end would never return.
type endless struct{ head []byte }

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.head)
	e.head = e.head[n:]
	for i := n; i < len(p); i++ {
		p[i] = 'x'
	}
	return len(p), nil
}

func TestCSVEndlessCellIsRefusedWithinBoundedMemory(t *testing.T) {
	r, err := OpenCSV(&endless{head: []byte("Name,Note\nA,B\nC,\"")}, Options{})
	if err != nil {
		t.Fatalf("OpenCSV() = %v", err)
	}
	defer r.Close()
	if _, err := r.Next(); err != nil {
		t.Fatalf("Next() row 2 = %v", err)
	}
	_, err = r.Next()
	want := `row 3: holds more than 4 MiB of text (a cell may hold 1 MiB); is a closing quote (") missing?`
	if err == nil || err.Error() != want {
		t.Fatalf("Next() row 3 = %v, want %q", err, want)
	}
	// The stream is over: the error comes again.
	if _, again := r.Next(); again == nil || again.Error() != want {
		t.Errorf("Next() after the error = %v, want %q again", again, want)
	}
}

// Detection reads only the first 64 KiB: problems after it are found row
// by row.
func TestCSVProblemsAfterTheDetectedPrefix(t *testing.T) {
	filler := strings.Repeat("name,city\n", 8000) // 80 KB, rows 2 to 8001
	tests := []struct {
		name string
		tail string
		want string
	}{
		{"bytes that are not UTF-8", "M\xFCller,K\xF6ln\n", `row 8002: column A holds text that is not UTF-8 ("M?ller"); the file may be in another encoding such as windows-1252: choose the encoding or save the file as CSV UTF-8`},
		{"a NUL byte", "a,\x00\n", `row 8002: column B holds binary data (a NUL byte), which a CSV file cannot hold; save the file again as CSV from your spreadsheet program`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readCSV(t, []byte("Name,City\n"+filler+tt.tail), Options{})
			if got.err != tt.want || len(got.rows) != 8000 {
				t.Errorf("read %d rows then %q, want 8000 rows then %q", len(got.rows), got.err, tt.want)
			}
		})
	}
}

func TestOpenDetectsEncodingPastThePrefix(t *testing.T) {
	filler := strings.Repeat("name;city\n", 8000) // 80 KB of ASCII
	path := writeFile(t, "late.csv", []byte("Name;City\n"+filler+"M\xFCller;K\xF6ln\n"))
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	defer r.Close()
	_, rows := readAll(t, r)
	if got := r.Info().Encoding; got != "windows-1252" {
		t.Errorf("Info().Encoding = %q, want windows-1252", got)
	}
	last := rows[len(rows)-1]
	if last.Number != 8002 || last.Cells[0].Text != "Müller" || last.Cells[1].Text != "Köln" {
		t.Errorf("last row = %d %q, want 8002 [Müller Köln]", last.Number, texts([]Row{last}))
	}
}

func TestFirstNonASCII(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", -1}, {"abc", -1}, {"abcdefghijklmnop", -1}, {"\xFC", 0}, {"abcdefgh\xFC", 8}, {"abcdefghijk\xC3\xBC", 11},
	}
	for _, tt := range tests {
		if got := firstNonASCII([]byte(tt.in)); got != tt.want {
			t.Errorf("firstNonASCII(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
