package apply

// stop asks Input.Stop whether the run ends after the chunk just written.
// It is asked only there, between two chunks, where every op read is
// written and reported and no chunk is half done: a later run given the
// rest of the plan (its first done ops left out) starts with an empty
// chunk exactly as this run would have gone on, so its chunks, and its
// outcomes in their order, are the ones this run would have made.
func (r *run) stop() bool {
	if r.in.Stop == nil || !r.in.Stop(r.done) {
		return false
	}
	r.res.Stopped = true
	return true
}
