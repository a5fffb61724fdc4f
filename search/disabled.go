package search

// Disabled is search switched off: there is no index to ask.
type Disabled struct{}

// Offered is false: there is no search.
func (Disabled) Offered() bool { return false }

// Len is 0.
func (Disabled) Len() int { return 0 }
