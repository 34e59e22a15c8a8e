package metastore

// SetOnEnqueue makes w call f after queueing each group-commit write, so
// tests can line writes up into one group without sleeping.
func SetOnEnqueue(w *Writer, f func()) { w.onEnqueue = f }
