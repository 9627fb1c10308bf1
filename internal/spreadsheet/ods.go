package spreadsheet

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"io"
	"strings"
)

// odsWriter streams an OpenDocument spreadsheet: a zip whose first entry is
// the uncompressed mimetype, then the manifest, then content.xml written
// row by row. No well-kept Go library writes ODS; the format's minimum
// (ISO/IEC 26300, part 3) is these three parts.
type odsWriter struct {
	z       *zip.Writer
	content *bufio.Writer
}

const odsMime = "application/vnd.oasis.opendocument.spreadsheet"

const odsManifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="` + odsMime + `"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
`

func newODS(w io.Writer, sheet string) (*odsWriter, error) {
	z := zip.NewWriter(w)
	mt, err := z.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(mt, odsMime); err != nil {
		return nil, err
	}
	mf, err := z.Create("META-INF/manifest.xml")
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(mf, odsManifest); err != nil {
		return nil, err
	}
	c, err := z.Create("content.xml")
	if err != nil {
		return nil, err
	}
	o := &odsWriter{z: z, content: bufio.NewWriter(c)}
	o.content.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="`)
	xml.EscapeText(o.content, []byte(sheetName(sheet)))
	o.content.WriteString(`">`)
	return o, nil
}

func (o *odsWriter) Write(cells []string) error {
	o.content.WriteString("<table:table-row>")
	for _, v := range cells {
		if v == "" {
			o.content.WriteString("<table:table-cell/>")
			continue
		}
		o.content.WriteString(`<table:table-cell office:value-type="string">`)
		for _, line := range strings.Split(v, "\n") {
			o.content.WriteString("<text:p>")
			if err := xml.EscapeText(o.content, []byte(line)); err != nil {
				return err
			}
			o.content.WriteString("</text:p>")
		}
		o.content.WriteString("</table:table-cell>")
	}
	_, err := o.content.WriteString("</table:table-row>")
	return err
}

func (o *odsWriter) Close() error {
	o.content.WriteString("</table:table></office:spreadsheet></office:body></office:document-content>")
	if err := o.content.Flush(); err != nil {
		return err
	}
	return o.z.Close()
}
