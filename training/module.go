package training

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Features a module can unlock. The profile requires modules; until every
// required module that gates a feature is done, the feature is refused.
const (
	FeatureExternalChat  = "external-chat"  // messages to anyone outside the organisation
	FeatureFiles         = "files"          // sending any file
	FeatureExternalFiles = "external-files" // sending files to partners
)

// Features lists every feature, for validation and display.
var Features = []string{FeatureExternalChat, FeatureFiles, FeatureExternalFiles}

// Limits on a module, so that a hostile or broken file cannot exhaust memory
// or the screen.
const (
	MaxModuleSize = 64 << 10
	MaxQuestions  = 20
	MaxChoices    = 8
)

// Module is one lesson with its quiz.
type Module struct {
	ID        string
	Version   int
	Lang      string // "en", "fr", ...
	Title     string
	Minutes   int
	Gates     []string // features this module unlocks
	Pass      int      // correct answers needed
	Lesson    string   // Markdown
	Questions []Question
}

// Question is one multiple-choice question.
type Question struct {
	Text    string
	Choices []Choice
}

// Choice is one answer with its explanation.
type Choice struct {
	Text    string
	Correct bool
	Explain string
}

// ParseError names the line of the first mistake in a module file.
type ParseError struct {
	Name string // file name or id, for the message
	Line int    // 1-based; 0 when the whole file is concerned
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("training module %s, line %d: %s", e.Name, e.Line, e.Msg)
	}
	return fmt.Sprintf("training module %s: %s", e.Name, e.Msg)
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
var langPattern = regexp.MustCompile(`^[a-z]{2}$`)

// Parse reads one module file. name is used in error messages only.
func Parse(name string, data []byte) (*Module, error) {
	fail := func(line int, format string, a ...any) (*Module, error) {
		return nil, &ParseError{Name: name, Line: line, Msg: fmt.Sprintf(format, a...)}
	}
	if len(data) > MaxModuleSize {
		return fail(0, "%d bytes is larger than the %d byte limit", len(data), MaxModuleSize)
	}
	if !utf8.Valid(data) {
		return fail(0, "not valid UTF-8")
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.TrimPrefix(text, "\ufeff")
	lines := strings.Split(text, "\n")
	m := &Module{}
	seen := map[string]bool{}
	i := 0
	for ; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if l == "---" {
			break
		}
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			return fail(i+1, "expected \"key: value\" in the header, or \"---\" to end it")
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if seen[k] {
			return fail(i+1, "%q is given twice", k)
		}
		seen[k] = true
		switch k {
		case "id":
			if !idPattern.MatchString(v) {
				return fail(i+1, "id %q: use lower-case letters, digits and hyphens", v)
			}
			m.ID = v
		case "version", "minutes", "pass":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 10000 {
				return fail(i+1, "%s %q is not a positive whole number", k, v)
			}
			switch k {
			case "version":
				m.Version = n
			case "minutes":
				m.Minutes = n
			default:
				m.Pass = n
			}
		case "lang":
			if !langPattern.MatchString(v) {
				return fail(i+1, "lang %q: use a two-letter language code such as en or fr", v)
			}
			m.Lang = v
		case "title":
			if v == "" || utf8.RuneCountInString(v) > 120 {
				return fail(i+1, "title must have 1 to 120 characters")
			}
			m.Title = v
		case "gates":
			for _, g := range strings.Split(v, ",") {
				g = strings.TrimSpace(g)
				if g == "" {
					continue
				}
				if !isFeature(g) {
					return fail(i+1, "unknown feature %q (one of %s)", g, strings.Join(Features, ", "))
				}
				m.Gates = append(m.Gates, g)
			}
		default:
			return fail(i+1, "unknown header key %q (id, version, lang, title, minutes, gates, pass)", k)
		}
	}
	if i == len(lines) {
		return fail(0, "the header does not end with a line \"---\"")
	}
	for _, k := range []string{"id", "version", "lang", "title"} {
		if !seen[k] {
			return fail(0, "the header has no %q", k)
		}
	}
	if m.Minutes == 0 {
		m.Minutes = 2
	}
	i++
	var lesson []string
	for ; i < len(lines) && !strings.HasPrefix(lines[i], "? "); i++ {
		lesson = append(lesson, lines[i])
	}
	m.Lesson = strings.TrimSpace(strings.Join(lesson, "\n"))
	if m.Lesson == "" {
		return fail(0, "the lesson is empty")
	}
	var q *Question
	var c *Choice
	for ; i < len(lines); i++ {
		raw := lines[i]
		l := strings.TrimSpace(raw)
		switch {
		case l == "":
			continue
		case strings.HasPrefix(raw, "? "):
			if err := checkQuestion(q, name, i); err != nil {
				return nil, err
			}
			if len(m.Questions) == MaxQuestions {
				return fail(i+1, "more than %d questions", MaxQuestions)
			}
			m.Questions = append(m.Questions, Question{Text: strings.TrimSpace(raw[2:])})
			q, c = &m.Questions[len(m.Questions)-1], nil
		case strings.HasPrefix(raw, "- "), strings.HasPrefix(raw, "+ "):
			if q == nil {
				return fail(i+1, "a choice before any question")
			}
			if c != nil && c.Explain == "" {
				return fail(i, "the choice %q has no explanation (a line starting with \"> \")", c.Text)
			}
			if len(q.Choices) == MaxChoices {
				return fail(i+1, "more than %d choices", MaxChoices)
			}
			q.Choices = append(q.Choices, Choice{Text: strings.TrimSpace(raw[2:]), Correct: raw[0] == '+'})
			c = &q.Choices[len(q.Choices)-1]
			if c.Text == "" {
				return fail(i+1, "an empty choice")
			}
		case strings.HasPrefix(l, "> "), l == ">":
			if c == nil {
				return fail(i+1, "an explanation before any choice")
			}
			c.Explain = strings.TrimSpace(c.Explain + " " + strings.TrimSpace(strings.TrimPrefix(l, ">")))
		default:
			return fail(i+1, "expected a question (\"? \"), a choice (\"- \" or \"+ \") or an explanation (\"> \")")
		}
	}
	if err := checkQuestion(q, name, len(lines)); err != nil {
		return nil, err
	}
	if len(m.Questions) == 0 {
		return fail(0, "the quiz has no question")
	}
	if m.Pass == 0 {
		m.Pass = len(m.Questions)
	}
	if m.Pass > len(m.Questions) {
		return fail(0, "pass %d is more than the %d questions", m.Pass, len(m.Questions))
	}
	return m, nil
}

func checkQuestion(q *Question, name string, line int) error {
	if q == nil {
		return nil
	}
	if q.Text == "" {
		return &ParseError{Name: name, Line: line, Msg: "a question without text"}
	}
	if len(q.Choices) < 2 {
		return &ParseError{Name: name, Line: line, Msg: fmt.Sprintf("the question %q needs at least two choices", q.Text)}
	}
	right := 0
	for _, c := range q.Choices {
		if c.Explain == "" {
			return &ParseError{Name: name, Line: line, Msg: fmt.Sprintf("the choice %q has no explanation (a line starting with \"> \")", c.Text)}
		}
		if c.Correct {
			right++
		}
	}
	if right != 1 {
		return &ParseError{Name: name, Line: line, Msg: fmt.Sprintf("the question %q must have exactly one right choice (\"+ \"), it has %d", q.Text, right)}
	}
	return nil
}

func isFeature(f string) bool {
	for _, x := range Features {
		if x == f {
			return true
		}
	}
	return false
}

// Answer is the user's answer to one question of a graded quiz.
type Answer struct {
	Question int    // index
	Choice   int    // index chosen; -1 when unanswered
	Correct  bool   // the choice was right
	Right    int    // index of the right choice
	Explain  string // the explanation of the chosen choice (or of the right one when unanswered)
}

// Result is a graded quiz.
type Result struct {
	Module  string
	Version int
	Score   int // correct answers
	Total   int
	Passed  bool
	Answers []Answer
}

// Grade marks answers (one choice index per question, -1 for none). Missing
// answers count as wrong; extra answers are an error.
func (m *Module) Grade(choices []int) (Result, error) {
	if len(choices) > len(m.Questions) {
		return Result{}, fmt.Errorf("%d answers for %d questions", len(choices), len(m.Questions))
	}
	r := Result{Module: m.ID, Version: m.Version, Total: len(m.Questions)}
	for qi, q := range m.Questions {
		a := Answer{Question: qi, Choice: -1}
		for ci, c := range q.Choices {
			if c.Correct {
				a.Right = ci
			}
		}
		if qi < len(choices) {
			a.Choice = choices[qi]
		}
		if a.Choice < -1 || a.Choice >= len(q.Choices) {
			return Result{}, fmt.Errorf("question %d has no choice %d", qi+1, a.Choice)
		}
		if a.Choice >= 0 {
			a.Correct = q.Choices[a.Choice].Correct
			a.Explain = q.Choices[a.Choice].Explain
		} else {
			a.Explain = q.Choices[a.Right].Explain
		}
		if a.Correct {
			r.Score++
		}
		r.Answers = append(r.Answers, a)
	}
	r.Passed = r.Score >= m.Pass
	return r, nil
}
