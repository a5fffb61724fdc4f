// Package hours models weekly opening or service hours with breaks, windows
// that run past midnight and dated exceptions, and answers "open now, closes
// 16:00" or "closed, opens Monday 08:00" in a given time zone.
package hours

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Spec is the authored form, as it stands in front matter or tiles.yaml:
//
//	weekly:
//	  - days: mon-thu
//	    hours: 08:00-16:30
//	    lunch: 12:00-13:00
//	  - days: fri
//	    hours: 08:00-15:00
//	exceptions:
//	  - date: 2026-12-24
//	    closed: true
//	    note: Julafton
type Spec struct {
	Weekly     []WeeklySpec    `yaml:"weekly" json:"weekly"`
	Exceptions []ExceptionSpec `yaml:"exceptions" json:"exceptions,omitempty"`
}

// WeeklySpec is one line of the weekly schedule.
type WeeklySpec struct {
	Days  string `yaml:"days" json:"days"`                       // "mon-fri", "sat,sun", "daily"
	Hours string `yaml:"hours" json:"hours"`                     // "08:00-16:30" or "08:00-12:00, 13:00-16:00"; "22:00-06:00" runs past midnight
	Lunch string `yaml:"lunch,omitempty" json:"lunch,omitempty"` // a break inside the hours
}

// ExceptionSpec replaces the weekly schedule on a date or a range of dates.
type ExceptionSpec struct {
	Date   string `yaml:"date,omitempty" json:"date,omitempty"`
	From   string `yaml:"from,omitempty" json:"from,omitempty"`
	To     string `yaml:"to,omitempty" json:"to,omitempty"`
	Closed bool   `yaml:"closed,omitempty" json:"closed,omitempty"`
	Hours  string `yaml:"hours,omitempty" json:"hours,omitempty"`
	Note   string `yaml:"note,omitempty" json:"note,omitempty"`
}

// span is a window in minutes after midnight; end may pass 1440 (next day).
type span struct{ start, end int }

type date struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) date { y, m, d := t.Date(); return date{y, m, d} }

func (d date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d) }

type exception struct {
	from, to date
	spans    []span
	note     string
}

// Schedule is a parsed Spec.
type Schedule struct {
	week       [7][]span // index: time.Weekday
	exceptions []exception
	spec       Spec
}

// IsZero reports whether the schedule has no windows at all.
func (s *Schedule) IsZero() bool {
	return s == nil || len(s.spec.Weekly) == 0 && len(s.spec.Exceptions) == 0
}

// Spec returns the authored form the schedule was parsed from.
func (s *Schedule) Spec() Spec { return s.spec }

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// Parse checks a Spec and compiles it. Errors name the line of the spec at fault.
func Parse(spec Spec) (*Schedule, error) {
	s := &Schedule{spec: spec}
	for i, w := range spec.Weekly {
		days, err := parseDays(w.Days)
		if err != nil {
			return nil, fmt.Errorf("weekly[%d]: %w", i, err)
		}
		spans, err := parseSpans(w.Hours)
		if err != nil {
			return nil, fmt.Errorf("weekly[%d]: %w", i, err)
		}
		if w.Lunch != "" {
			lunch, err := parseSpans(w.Lunch)
			if err != nil {
				return nil, fmt.Errorf("weekly[%d] lunch: %w", i, err)
			}
			spans = subtract(spans, lunch)
		}
		for _, d := range days {
			s.week[d] = append(s.week[d], spans...)
		}
	}
	for i, e := range spec.Exceptions {
		x, err := parseException(e)
		if err != nil {
			return nil, fmt.Errorf("exceptions[%d]: %w", i, err)
		}
		s.exceptions = append(s.exceptions, x)
	}
	return s, nil
}

func parseException(e ExceptionSpec) (exception, error) {
	var x exception
	x.note = e.Note
	switch {
	case e.Date != "" && (e.From != "" || e.To != ""):
		return x, fmt.Errorf("give either date or from/to, not both")
	case e.Date != "":
		d, err := parseDate(e.Date)
		if err != nil {
			return x, err
		}
		x.from, x.to = d, d
	case e.From != "" && e.To != "":
		f, err := parseDate(e.From)
		if err != nil {
			return x, err
		}
		t, err := parseDate(e.To)
		if err != nil {
			return x, err
		}
		if civil(t).Before(civil(f)) {
			return x, fmt.Errorf("to %s is before from %s", e.To, e.From)
		}
		x.from, x.to = f, t
	default:
		return x, fmt.Errorf("an exception needs a date, or from and to")
	}
	switch {
	case e.Closed && e.Hours != "":
		return x, fmt.Errorf("an exception is either closed or has hours, not both")
	case e.Closed:
		x.spans = []span{}
	case e.Hours != "":
		spans, err := parseSpans(e.Hours)
		if err != nil {
			return x, err
		}
		x.spans = spans
	default:
		return x, fmt.Errorf("an exception needs closed: true or hours")
	}
	return x, nil
}

func civil(d date) time.Time { return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC) }

func parseDate(s string) (date, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return dateOf(t), nil
}

func parseDays(s string) ([]time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return nil, fmt.Errorf("days is empty; write for example mon-fri")
	}
	if s == "daily" || s == "mon-sun" {
		return []time.Weekday{0, 1, 2, 3, 4, 5, 6}, nil
	}
	var out []time.Weekday
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		from, to, isRange := strings.Cut(part, "-")
		a, ok := dayNames[strings.TrimSpace(from)]
		if !ok {
			return nil, fmt.Errorf("unknown day %q; use mon, tue, wed, thu, fri, sat, sun", from)
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b, ok := dayNames[strings.TrimSpace(to)]
		if !ok {
			return nil, fmt.Errorf("unknown day %q; use mon, tue, wed, thu, fri, sat, sun", to)
		}
		for d := a; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == b {
				break
			}
		}
	}
	return out, nil
}

func parseSpans(s string) ([]span, error) {
	var out []span
	for _, part := range strings.Split(s, ",") {
		from, to, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			return nil, fmt.Errorf("hours %q: write a range like 08:00-16:30", part)
		}
		a, err := parseClock(from)
		if err != nil {
			return nil, err
		}
		b, err := parseClock(to)
		if err != nil {
			return nil, err
		}
		if a == 1440 {
			return nil, fmt.Errorf("hours %q: a window cannot start at 24:00", part)
		}
		if b <= a {
			b += 1440 // runs past midnight
		}
		out = append(out, span{a, b})
	}
	return out, nil
}

func parseClock(s string) (int, error) {
	s = strings.TrimSpace(s)
	h, m, ok := strings.Cut(s, ":")
	if !ok {
		h, m = s, "00"
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("time %q is not HH:MM", s)
	}
	return hh*60 + mm, nil
}

// subtract removes the breaks from the windows.
func subtract(windows, breaks []span) []span {
	out := slices.Clone(windows)
	for _, b := range breaks {
		var next []span
		for _, w := range out {
			if b.end <= w.start || b.start >= w.end {
				next = append(next, w)
				continue
			}
			if b.start > w.start {
				next = append(next, span{w.start, b.start})
			}
			if b.end < w.end {
				next = append(next, span{b.end, w.end})
			}
		}
		out = next
	}
	return out
}

// Interval is a concrete opening in time.
type Interval struct{ Start, End time.Time }

// spansOn gives the windows of one calendar day, and the note of an exception
// that applies to it.
func (s *Schedule) spansOn(d date) ([]span, string) {
	c := civil(d)
	for i := len(s.exceptions) - 1; i >= 0; i-- {
		e := s.exceptions[i]
		if !c.Before(civil(e.from)) && !c.After(civil(e.to)) {
			return e.spans, e.note
		}
	}
	return s.week[c.Weekday()], ""
}

// intervals lists the openings that start on the days from first to first+days,
// merged where they touch, in loc.
func (s *Schedule) intervals(first date, days int, loc *time.Location) []Interval {
	var out []Interval
	for i := 0; i < days; i++ {
		d := dateOf(civil(first).AddDate(0, 0, i))
		spans, _ := s.spansOn(d)
		for _, sp := range spans {
			// time.Date normalises minutes past 59, and resolves the wall
			// clock in loc on that very day, so DST changes come out right.
			out = append(out, Interval{
				Start: time.Date(d.y, d.m, d.d, 0, sp.start, 0, 0, loc),
				End:   time.Date(d.y, d.m, d.d, 0, sp.end, 0, 0, loc),
			})
		}
	}
	slices.SortFunc(out, func(a, b Interval) int { return a.Start.Compare(b.Start) })
	var merged []Interval
	for _, iv := range out {
		if !iv.End.After(iv.Start) {
			continue
		}
		if n := len(merged); n > 0 && !iv.Start.After(merged[n-1].End) {
			if iv.End.After(merged[n-1].End) {
				merged[n-1].End = iv.End
			}
			continue
		}
		merged = append(merged, iv)
	}
	return merged
}

// State is the answer for one moment.
type State struct {
	Open bool
	// Change is when it closes (if Open) or next opens (if not). Zero when
	// that is more than a year away: always open, or closed until further notice.
	Change time.Time
	// Note is the note of the exception in force today, if any ("Julafton").
	Note string
}

const horizon = 400 // days looked ahead

// At tells whether the schedule is open at now, in loc, and when that changes.
func (s *Schedule) At(now time.Time, loc *time.Location) State {
	now = now.In(loc)
	today := dateOf(now)
	_, note := s.spansOn(today)
	st := State{Note: note}
	start := dateOf(now.AddDate(0, 0, -1))
	// Look a week ahead first; only look further when the answer reaches the edge.
	for _, days := range []int{9, horizon} {
		ivs := s.intervals(start, days, loc)
		edge := time.Date(start.y, start.m, start.d+days, 0, 0, 0, 0, loc)
		for _, iv := range ivs {
			if iv.End.After(now) && !iv.Start.After(now) {
				st.Open = true
				if iv.End.Before(edge) {
					st.Change = iv.End
					return st
				}
				break
			}
			if iv.Start.After(now) {
				st.Change = iv.Start
				return st
			}
		}
		if days == horizon {
			break
		}
		st.Open = false
	}
	return st
}

// Week returns the openings of the seven days starting on the day of from, in loc.
func (s *Schedule) Week(from time.Time, loc *time.Location) []Interval {
	return s.intervals(dateOf(from.In(loc)), 7, loc)
}

// Upcoming lists exceptions that touch the days from now to now+days, for
// showing "closed on 24 December" ahead of time.
func (s *Schedule) Upcoming(now time.Time, loc *time.Location, days int) []ExceptionSpec {
	today := civil(dateOf(now.In(loc)))
	last := today.AddDate(0, 0, days)
	var out []ExceptionSpec
	for i, e := range s.exceptions {
		if civil(e.to).Before(today) || civil(e.from).After(last) {
			continue
		}
		out = append(out, s.spec.Exceptions[i])
	}
	return out
}
