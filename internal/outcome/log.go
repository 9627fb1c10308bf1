package outcome

import (
	"io"

	"github.com/crmimport/crm-import/internal/crm"
)

// NewLog writes outcomes to w as JSON lines, one outcome a line; call Flush
// at the end.
func NewLog(w io.Writer) *crm.LineWriter[Row] { return crm.NewLineWriter[Row](w) }
