package plan

import (
	"io"

	"github.com/crmimport/crm-import/internal/crm"
)

// Source yields ops one at a time; Next returns io.EOF after the last. Apply
// reads a plan through it, so a plan streamed from S3 is never held whole.
type Source interface {
	Next() (Op, error)
}

// NewWriter writes ops to w as JSON lines, one op a line; call Flush at the
// end.
func NewWriter(w io.Writer) *crm.LineWriter[Op] { return crm.NewLineWriter[Op](w) }

// WriteOps writes ops as JSON lines to w.
func WriteOps(w io.Writer, ops []Op) error {
	pw := NewWriter(w)
	for _, op := range ops {
		if err := pw.Write(op); err != nil {
			return err
		}
	}
	return pw.Flush()
}

// NewReader reads the ops NewWriter wrote. It is a Source.
func NewReader(r io.Reader) *crm.LineReader[Op] { return crm.NewLineReader[Op](r) }

// The reader of a plan file is what apply streams a plan through.
var _ Source = (*crm.LineReader[Op])(nil)

// Ops is a Source over ops in memory.
func Ops(ops []Op) Source { return &sliceSource{ops: ops} }

type sliceSource struct{ ops []Op }

func (s *sliceSource) Next() (Op, error) {
	if len(s.ops) == 0 {
		return Op{}, io.EOF
	}
	op := s.ops[0]
	s.ops = s.ops[1:]
	return op, nil
}
