package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
)

// An XLSX keeps the texts of its cells in one table, the shared strings
// (xl/sharedStrings.xml), which excelize indexes whole before the first
// row is read: parsed in memory (about 100 bytes a string) up to
// xmlPartLimit, or, past it, one offset pair per string into a scratch
// file (40 bytes a string, twice that while the index grows). An entry
// <si><t/></si> takes 13 bytes and packs to almost nothing, so half a
// megabyte of workbook can list 20 million strings and cost gigabytes.
//
// A spreadsheet program stores each distinct text once, and only texts a
// cell shows, so a real table holds
//   - no more strings than its sheets have cells, a cell taking at least
//     minCellXML bytes of XML, and
//   - distinct strings, which pack to 2.5 bytes or more each (measured
//     with deflate on sequential numbers, e-mail addresses, "Customer
//     000001" and random three-letter texts, a million of each), where a
//     repeated string packs to 0.03 bytes.
//
// checkSharedStrings refuses a table with more strings than either allows
// (with room to spare: one packed byte a string) before excelize reads it.
// What passes costs excelize at most about 90 bytes per packed byte.
const (
	minCellXML = len(`<c t="s"><v>0</v></c>`)
	// So many strings are accepted whatever the sheets: excelize holds
	// them in a few MiB.
	sharedStringsFloor = 1 << 16
)

func checkSharedStrings(z *zip.Reader) error {
	var sst *zip.File
	var sheets uint64
	for _, f := range z.File {
		// Part names as excelize matches them.
		name := strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))
		switch {
		case name == "xl/sharedstrings.xml":
			sst = f
		case strings.HasPrefix(name, "xl/worksheets/sheet"):
			sheets += f.UncompressedSize64
		}
	}
	// Each entry takes at least 5 bytes (<si/>).
	if sst == nil || sst.UncompressedSize64 < 5*sharedStringsFloor {
		return nil
	}
	cells := sheets / uint64(minCellXML)
	limit := min(cells, sst.CompressedSize64) + sharedStringsFloor
	part, err := sst.Open()
	if err != nil {
		return refuse("the workbook's shared texts cannot be unpacked (%v); it may be damaged: save it again", err)
	}
	defer part.Close()
	n, err := countElements(part, "si", limit+1)
	if err != nil {
		return refuse("the workbook's shared texts cannot be read (%v); it may be damaged: save it again", err)
	}
	if n <= limit {
		return nil
	}
	if cells <= sst.CompressedSize64 {
		return refuse("the workbook lists more than %d texts for its cells, but its sheets have room for at most %d cells; it is damaged: open it in your spreadsheet program and save it again, or save it as CSV",
			limit, cells)
	}
	return refuse("the workbook lists more than %d texts for its cells in %s of packed data, which only the same texts repeated over and over give, while a spreadsheet program stores each text once; it is damaged: open it in your spreadsheet program and save it again, or save it as CSV",
		limit, size64(int64(sst.CompressedSize64)))
}

// countElements counts the start tags named local (in any namespace) in
// XML, up to stop. It looks at tags only, a thousand times faster than
// encoding/xml: a tag inside a comment or CDATA section counts too, which
// no spreadsheet program writes in this part and which can only make the
// count larger.
func countElements(xml io.Reader, local string, stop uint64) (uint64, error) {
	in := bufio.NewReaderSize(xml, 64<<10)
	var n uint64
	for n < stop {
		_, err := in.ReadSlice('<')
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		head, err := in.Peek(64)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			return n, err
		}
		end := bytes.IndexAny(head, " \t\r\n/>")
		if end <= 0 { // a closing tag, or a name longer than any here
			continue
		}
		name := head[:end]
		if i := bytes.LastIndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		if string(name) == local {
			n++
		}
	}
	return n, nil
}
