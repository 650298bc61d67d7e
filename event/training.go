package event

import "time"

// Security training (issue "security training inside the client"): lessons
// and quizzes, features gated until the required modules are done,
// just-in-time prompts at the first risky action of each kind, and signed
// completion reports to IT.
//
// The session grades quizzes and enforces the gates (a gated command is
// Refused with code RefusedTraining and the reason names the module to
// complete); the GUI shows lessons, quizzes and prompts.

// TrainingModule describes one module in a Training event.
type TrainingModule struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Lang        string    `json:"lang"`
	Minutes     int       `json:"minutes"`
	Version     int       `json:"version"`
	Required    bool      `json:"required,omitempty"` // the profile requires it
	Done        bool      `json:"done,omitempty"`     // passed at its current version
	Score       int       `json:"score,omitempty"`    // of the passed attempt
	Total       int       `json:"total,omitempty"`
	CompletedAt time.Time `json:"completed_at,omitzero"`
	Gates       []string  `json:"gates,omitempty"` // features it unlocks when required
}

// Gate is the state of one gated feature.
type Gate struct {
	Allowed bool     `json:"allowed"`
	Missing []string `json:"missing,omitempty"` // module ids still to complete
	Reason  string   `json:"reason,omitempty"`  // "Complete 'Files and data leaks' to send files to partners."
}

// Training is the user's training state: emitted at start, after each quiz,
// when a profile changes the requirements, and in answer to GetTraining.
type Training struct {
	Lang        string           `json:"lang"`
	Welcome     string           `json:"welcome,omitempty"` // first-run text (Markdown), while not yet seen
	WelcomeSeen bool             `json:"welcome_seen,omitempty"`
	Modules     []TrainingModule `json:"modules"`               // required ones first, in the profile's order
	Outstanding []string         `json:"outstanding,omitempty"` // required modules not done yet
	Gates       map[string]Gate  `json:"gates"`                 // by feature: external-chat, files, external-files
}

// QuizQuestion is a question as shown to the user: the choices without
// saying which is right (the session grades).
type QuizQuestion struct {
	Text    string   `json:"text"`
	Choices []string `json:"choices"`
}

// Lesson answers GetLesson: one module's lesson and quiz.
type Lesson struct {
	ID        string         `json:"id"`
	Lang      string         `json:"lang"`
	Title     string         `json:"title"`
	Minutes   int            `json:"minutes"`
	Version   int            `json:"version"`
	Text      string         `json:"text"` // Markdown
	Questions []QuizQuestion `json:"questions"`
	Pass      int            `json:"pass"` // correct answers needed
}

// QuizAnswer is one graded answer with its explanation.
type QuizAnswer struct {
	Choice  int    `json:"choice"` // -1: unanswered
	Correct bool   `json:"correct"`
	Right   int    `json:"right"` // index of the right choice
	Explain string `json:"explain"`
}

// QuizResult answers SubmitQuiz. A failed quiz can be taken again.
type QuizResult struct {
	Module  string       `json:"module"`
	Version int          `json:"version"`
	Score   int          `json:"score"`
	Total   int          `json:"total"`
	Pass    int          `json:"pass"`
	Passed  bool         `json:"passed"`
	Answers []QuizAnswer `json:"answers"`
}

// TrainingPrompt is a just-in-time prompt, emitted once per kind at the first
// risky action of that kind (first chat with an unknown domain, first file to
// a partner, first link from an external contact, first identity change of a
// contact). The GUI shows it and answers PromptSeen.
type TrainingPrompt struct {
	Kind   string `json:"kind"`
	JID    string `json:"jid,omitempty"` // the peer concerned
	Title  string `json:"title"`
	Body   string `json:"body"`             // Markdown
	Module string `json:"module,omitempty"` // "Learn more" opens this module
}

// TrainingReport: a completion report was sent to IT (or could not be).
type TrainingReport struct {
	Module string `json:"module"`
	To     string `json:"to,omitempty"` // the IT JID or PubSub node
	Sent   bool   `json:"sent"`
	Reason string `json:"reason,omitempty"` // why not sent (no device certificate, no IT address, offline: queued)
}

// GetTraining asks for a Training event.
type GetTraining struct{}

// GetLesson asks for one module (in Lang, else the training language).
type GetLesson struct {
	Module string `json:"module"`
	Lang   string `json:"lang,omitempty"`
}

// SubmitQuiz hands in the answers (one choice index per question, -1 for
// none); answered by QuizResult, then Training and TrainingReport when passed.
type SubmitQuiz struct {
	Module  string `json:"module"`
	Version int    `json:"version"` // the version shown; a stale one is refused with Error
	Answers []int  `json:"answers"`
}

// PromptSeen records that the user saw a just-in-time prompt (and whether
// they opened the lesson).
type PromptSeen struct {
	Kind         string `json:"kind"`
	OpenedLesson bool   `json:"opened_lesson,omitempty"`
}

// WelcomeSeen records that the user read the first-run welcome.
type WelcomeSeen struct{}

func init() {
	register(func() Command { return &GetTraining{} })
	register(func() Command { return &GetLesson{} })
	register(func() Command { return &SubmitQuiz{} })
	register(func() Command { return &PromptSeen{} })
	register(func() Command { return &WelcomeSeen{} })
}

func (Training) EventName() string       { return "training" }
func (Lesson) EventName() string         { return "lesson" }
func (QuizResult) EventName() string     { return "quiz_result" }
func (TrainingPrompt) EventName() string { return "training_prompt" }
func (TrainingReport) EventName() string { return "training_report" }

func (GetTraining) CommandName() string { return "training" }
func (GetLesson) CommandName() string   { return "lesson" }
func (SubmitQuiz) CommandName() string  { return "submit_quiz" }
func (PromptSeen) CommandName() string  { return "prompt_seen" }
func (WelcomeSeen) CommandName() string { return "welcome_seen" }
