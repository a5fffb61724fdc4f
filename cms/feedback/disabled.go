package feedback

// Disabled is feedback switched off: pages ask nobody whether they helped.
type Disabled struct{}

// Offered is false: no answers are taken.
func (Disabled) Offered() bool { return false }
