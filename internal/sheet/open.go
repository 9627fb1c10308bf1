package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

const odsMimetype = "application/vnd.oasis.opendocument.spreadsheet"

// Open reads the spreadsheet file at path. The format comes from
// opts.Format, else from the content (a zip holding xl/workbook.xml is
// XLSX, one whose mimetype says so is ODS, text is CSV) and the file name.
// Files that cannot be read, such as legacy .xls, are refused with a
// *Error saying what to do instead.
func Open(path string, opts Options) (Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", filepath.Base(path), err)
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", filepath.Base(path), err)
	}
	head = head[:n]
	format, err := detectFormat(path, head, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	if format == "csv" {
		if opts.Encoding, err = encodingPastPrefix(f, opts); err != nil {
			f.Close()
			return nil, err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			f.Close()
			return nil, fmt.Errorf("rewind %s: %w", filepath.Base(path), err)
		}
		r, err := OpenCSV(f, opts)
		if err != nil {
			f.Close()
		}
		return r, err
	}
	f.Close()
	switch format {
	case "xlsx":
		return openXLSX(path, opts)
	case "ods":
		return openODS(path, opts)
	}
	return nil, refuse("the format %q is not supported; use csv, xlsx or ods", format)
}

func detectFormat(path string, head []byte, opts Options) (string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch {
	case bytes.HasPrefix(head, oleMagic):
		// Excel 97-2003 files and password-protected XLSX files are both
		// OLE2 containers.
		return "", refuse("this is an Excel 97-2003 (.xls) workbook or a password-protected one, which cannot be read; open it in your spreadsheet program and save it without a password as Excel Workbook (.xlsx) or CSV")
	case bytes.HasPrefix(head, zipMagic):
		format, err := zipFormat(path)
		if err != nil {
			return "", err
		}
		if opts.Format != "" && opts.Format != format {
			return "", refuse("the file is %s, not %s", strings.ToUpper(format), strings.ToUpper(opts.Format))
		}
		return format, nil
	}
	format := strings.ToLower(opts.Format)
	if format == "" {
		switch ext {
		case ".xlsx", ".xlsm", ".ods":
			format = ext[1:]
		default:
			format = "csv"
		}
	}
	switch format {
	case "xlsx", "xlsm", "ods":
		return "", refuse("the file is not a valid %s workbook: it may be damaged, or another kind of file renamed; open it in your spreadsheet program and save it again", strings.ToUpper(format))
	case "csv":
		if markup := markupKind(head); markup != "" {
			return "", refuse("the file is %s, not a spreadsheet; save the data from your spreadsheet program as CSV or XLSX", markup)
		}
		return "csv", nil
	}
	return "", refuse("the format %q is not supported; use csv, xlsx or ods", opts.Format)
}

// markupKind recognises web pages and XML saved under a spreadsheet name,
// as some programs "export to Excel".
func markupKind(head []byte) string {
	for _, b := range boms {
		head = bytes.TrimPrefix(head, b.mark)
	}
	lower := bytes.ToLower(bytes.TrimSpace(head))
	switch {
	case bytes.HasPrefix(lower, []byte("<!doctype html")), bytes.HasPrefix(lower, []byte("<html")), bytes.HasPrefix(lower, []byte("<table")):
		return "a web page (HTML)"
	case bytes.HasPrefix(lower, []byte("<?xml")):
		return "an XML document"
	}
	return ""
}

// zipFormat tells XLSX from ODS by the parts of the archive.
func zipFormat(path string) (string, error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return "", refuse("the file looks like a workbook but cannot be unpacked (%v); it may be damaged: save it again", err)
	}
	defer z.Close()
	for _, f := range z.File {
		switch f.Name {
		case "xl/workbook.xml":
			return "xlsx", nil
		case "mimetype":
			if f.UncompressedSize64 > 256 {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				continue
			}
			b, _ := io.ReadAll(io.LimitReader(rc, 256))
			rc.Close()
			if strings.TrimSpace(string(b)) == odsMimetype {
				return "ods", nil
			}
		}
	}
	return "", refuse("the file is a zip archive but not an XLSX or ODS workbook; save the data from your spreadsheet program as XLSX, ODS or CSV")
}

// checkUnpackedSize refuses archives that would unpack to more than the
// limit. archive/zip fails on an entry longer than its header says, so the
// headers can be trusted.
func checkUnpackedSize(z *zip.Reader, limit int64) error {
	var total uint64
	for _, f := range z.File {
		total += f.UncompressedSize64
		if total > uint64(limit) {
			return refuse("the workbook unpacks to more than %s, more than an import can hold; it may be damaged: split it, or save it as CSV", size64(limit))
		}
	}
	return nil
}

func size64(n int64) string {
	if n >= 1<<30 && n%(1<<30) == 0 {
		return fmt.Sprintf("%d GiB", n>>30)
	}
	return size(int(n))
}

// scratchDir makes the per-reader directory for unpacked parts.
func scratchDir(opts Options) (string, error) {
	dir, err := os.MkdirTemp(opts.TmpDir, "sheet-")
	if err != nil {
		return "", fmt.Errorf("make scratch dir: %w", err)
	}
	return dir, nil
}
