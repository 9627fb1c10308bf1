package sheet

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	"github.com/xuri/nfp"
)

// Once markStyles has rewritten the styles, excelize shows a date cell as
// dateMark and its serial number, and a text cell as textMark and its
// text. XML text cannot hold U+0001 or U+0002, so no cell's own text
// starts with them.
const (
	dateMark = "\x01"
	textMark = "\x02"
	// The four sections: positive, negative, zero, text. Numbers keep
	// their full precision.
	dateMarkFormat = `"` + dateMark + `"0.###############;"` + dateMark + `"-0.###############;"` + dateMark + `"0;"` + textMark + `"@`
	// A text section alone leaves numbers as they are stored.
	textMarkFormat = `"` + textMark + `"@`
)

// xmlPartLimit is the size above which excelize unpacks a worksheet or the
// shared strings to a scratch file instead of memory.
const xmlPartLimit = 8 << 20

func openXLSX(path string, opts Options) (_ Reader, err error) {
	if err := checkZip(path, opts.maxUnpacked()); err != nil {
		return nil, err
	}
	dir, err := scratchDir(opts)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			os.RemoveAll(dir)
			err = damaged(p)
		}
	}()
	f, err := excelize.OpenFile(path, excelize.Options{
		UnzipSizeLimit:    opts.maxUnpacked(),
		UnzipXMLSizeLimit: min(xmlPartLimit, opts.maxUnpacked()),
		TmpDir:            dir,
	})
	if err != nil {
		os.RemoveAll(dir)
		// The zip was readable (checkZip), so what fails here is the
		// workbook's content.
		return nil, refuse("the file is not a readable XLSX workbook (%v); open it in your spreadsheet program and save it again", err)
	}
	src := &xlsxSource{f: f, dir: dir}
	sheets := f.GetSheetList()
	name, err := pickSheet(sheets, opts.Sheet, src.hasData)
	if err != nil {
		src.close()
		return nil, err
	}
	if err := markStyles(f); err != nil {
		src.close()
		return nil, err
	}
	if wb := f.WorkBook; wb != nil && wb.WorkbookPr != nil {
		src.date1904 = wb.WorkbookPr.Date1904
	}
	if src.rows, err = f.Rows(name); err != nil {
		src.close()
		return nil, fmt.Errorf("read sheet %q: %w", name, err)
	}
	return newTable(src, Info{Format: "xlsx", Sheet: name, Sheets: sheets}, "")
}

func checkZip(path string, limit int64) error {
	z, err := zip.OpenReader(path)
	if err != nil {
		return refuse("the workbook cannot be unpacked (%v); it may be damaged: save it again", err)
	}
	defer z.Close()
	if err := checkUnpackedSize(&z.Reader, limit); err != nil {
		return err
	}
	return checkSharedStrings(&z.Reader)
}

// pickSheet returns the sheet to read: the one named, else the only one
// with data.
func pickSheet(sheets []string, want string, hasData func(string) (bool, error)) (string, error) {
	list := QuoteNames(sheets)
	if want != "" {
		for _, s := range sheets {
			if s == want {
				return s, nil
			}
		}
		for _, s := range sheets {
			if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(want)) {
				return s, nil
			}
		}
		return "", refuse("the workbook has no sheet %q; its sheets are %s", want, list)
	}
	var withData []string
	for _, s := range sheets {
		ok, err := hasData(s)
		if err != nil {
			return "", err
		}
		if ok {
			withData = append(withData, s)
		}
	}
	switch len(withData) {
	case 0:
		return "", refuse("the workbook is empty: none of its sheets (%s) holds data", list)
	case 1:
		return withData[0], nil
	}
	return "", refuse("the workbook has several sheets with data (%s); all rows must be on one sheet: choose the sheet to import", QuoteNames(withData))
}

// markStyles rewrites the workbook's styles in memory, so that excelize's
// streaming iterator, which only gives cell values as text, shows which
// cells are dates and which are text: date formats become dateMarkFormat,
// any other format becomes textMarkFormat, which also drops the tenant's
// display format (thousands separators, currency) from numbers. Without
// this, the only way to learn a cell's style is GetCellStyle, which loads
// the whole sheet into memory. The file on disk is not touched.
func markStyles(f *excelize.File) error {
	styles := f.Styles
	if styles == nil || styles.CellXfs == nil {
		return nil
	}
	// Style 0 is the default: excelize shows its cells unformatted, so
	// they cannot be marked.
	var dates, others []int
	for i := 1; i < len(styles.CellXfs.Xf); i++ {
		st, err := f.GetStyle(i)
		if err != nil {
			continue
		}
		if isDateFormat(st) {
			dates = append(dates, i)
		} else {
			others = append(others, i)
		}
	}
	if len(dates) == 0 && len(others) == 0 {
		return nil
	}
	dateFmt, err := addNumFmt(f, dateMarkFormat)
	if err != nil {
		return err
	}
	textFmt, err := addNumFmt(f, textMarkFormat)
	if err != nil {
		return err
	}
	for _, i := range dates {
		f.Styles.CellXfs.Xf[i].NumFmtID = &dateFmt
	}
	for _, i := range others {
		f.Styles.CellXfs.Xf[i].NumFmtID = &textFmt
	}
	return nil
}

// addNumFmt adds a custom number format to the workbook in memory and
// returns its id.
func addNumFmt(f *excelize.File, code string) (int, error) {
	id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
	if err != nil {
		return 0, fmt.Errorf("add number format %q: %w", code, err)
	}
	return *f.Styles.CellXfs.Xf[id].NumFmtID, nil
}

// isDateFormat reports whether a style shows numbers as dates or times.
func isDateFormat(st *excelize.Style) bool {
	if st.CustomNumFmt != nil {
		p := nfp.NumberFormatParser()
		for _, section := range p.Parse(*st.CustomNumFmt) {
			for _, tok := range section.Items {
				if tok.TType == nfp.TokenTypeDateTimes || tok.TType == nfp.TokenTypeElapsedDateTimes {
					return true
				}
			}
		}
		return false
	}
	// The built-in date and time formats of ECMA-376 (18.8.30), with the
	// East Asian ones.
	id := st.NumFmt
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58)
}

type xlsxSource struct {
	f        *excelize.File
	rows     *excelize.Rows
	dir      string
	date1904 bool
	row      int
}

// hasData reports whether a sheet has at least one non-empty cell, reading
// only up to the first one.
func (s *xlsxSource) hasData(sheet string) (bool, error) {
	rows, err := s.f.Rows(sheet)
	if err != nil {
		// Chart sheets and the like have no rows.
		return false, nil
	}
	defer rows.Close()
	for rows.Next() {
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return false, refuse("sheet %q cannot be read (%v); save the workbook again", sheet, err)
		}
		for _, c := range cols {
			if c != "" {
				return true, nil
			}
		}
	}
	return false, rows.Error()
}

func (s *xlsxSource) next() (_ Row, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = damaged(p)
		}
	}()
	for s.rows.Next() {
		s.row++
		cols, err := s.rows.Columns()
		if err != nil {
			return Row{}, rowError(s.row, "cannot be read (%v); save the workbook again", err)
		}
		// Cells styled but empty come as "" or a bare textMark: none is
		// made for them at the end of a row.
		width := lastValue(cols, func(v string) bool { return v == "" || v == textMark })
		if width == 0 {
			continue
		}
		cells := make([]Cell, min(width, maxColumns))
		for i := range cells {
			cells[i] = s.cell(cols[i])
		}
		if width > maxColumns {
			// Cells without a reference (r="A1") count on past Excel's
			// last column: excelize does not stop them.
			for i := maxColumns; i < width; i++ {
				if c := s.cell(cols[i]); c.Text != "" {
					return Row{Number: s.row, Cells: cells}, &wideRow{width: width, column: i + 1, value: clip(c.Text)}
				}
			}
		}
		return Row{Number: s.row, Cells: cells}, nil
	}
	if err := s.rows.Error(); err != nil {
		return Row{}, fmt.Errorf("read xlsx after row %d: %w", s.row, err)
	}
	return Row{}, io.EOF
}

func (s *xlsxSource) cell(v string) Cell {
	switch {
	case v == "" || v == textMark:
		return Cell{}
	case strings.HasPrefix(v, textMark):
		return Cell{Kind: Text, Text: v[len(textMark):]}
	case strings.HasPrefix(v, dateMark):
		num := v[len(dateMark):]
		serial, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return Cell{Kind: Text, Text: num}
		}
		t, err := excelize.ExcelDateToTime(serial, s.date1904)
		if err != nil || serial < 0 {
			return Cell{Kind: Number, Text: num, Number: serial}
		}
		return dateCell(t)
	case isPlainNumber(v):
		n, err := strconv.ParseFloat(v, 64)
		if err == nil {
			return Cell{Kind: Number, Text: v, Number: n}
		}
	}
	return Cell{Kind: Text, Text: v}
}

// isPlainNumber reports whether v is written the way spreadsheet files
// store numbers (-12.5, 1E+20), which text like "00184" or "1,5" is not.
// Only cells in the default style, which cannot be marked, need it; a text
// cell among them holding exactly such a number reads as a number.
func isPlainNumber(v string) bool {
	i := 0
	if i < len(v) && v[i] == '-' {
		i++
	}
	start := i
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	digits := i - start
	if digits == 0 || (digits > 1 && v[start] == '0') {
		return false
	}
	if i < len(v) && v[i] == '.' {
		i++
		frac := i
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		if i == frac {
			return false
		}
	}
	if i < len(v) && (v[i] == 'E' || v[i] == 'e') {
		i++
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			i++
		}
		exp := i
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		if i == exp {
			return false
		}
	}
	return i == len(v)
}

// damaged turns a panic in excelize, a large parser fed files from anyone,
// into a refusal instead of a crashed import.
func damaged(p any) error {
	return refuse("the workbook is damaged and cannot be read (%v); open it in your spreadsheet program and save it again", p)
}

func (s *xlsxSource) close() error {
	var errs []error
	if s.rows != nil {
		errs = append(errs, s.rows.Close())
	}
	errs = append(errs, s.f.Close(), os.RemoveAll(s.dir))
	return errors.Join(errs...)
}
