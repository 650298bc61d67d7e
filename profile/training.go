package profile

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/training"
)

// Training in the profile: which modules every user must complete, which
// features stay gated until which modules are done, extra or replacement
// modules written by IT, and where completion reports go.

// TrainingRequirement is what the profile requires: the required module
// ids in the profile's order and, when the profile names them, the gates
// (feature -> module ids). Without training.gates, each required module
// gates the features of its own "gates" header (Gates is nil).
func (p *Profile) TrainingRequirement() training.Requirement {
	r := training.Requirement{Required: append([]string(nil), p.Training.Required...)}
	if p.Training.Gates != nil {
		r.Gates = map[string][]string{}
		for f, ids := range p.Training.Gates {
			r.Gates[f] = append(make([]string, 0, len(ids)), ids...)
		}
	}
	return r
}

// TrainingModules returns the modules IT added or replaced, as files for
// training.NewCatalogue (named "profile:training.modules[i]").
func (p *Profile) TrainingModules() []training.File {
	out := make([]training.File, 0, len(p.Training.Modules))
	for i, m := range p.Training.Modules {
		out = append(out, training.File{Name: fmt.Sprintf("profile:training.modules[%d]", i), Data: []byte(m)})
	}
	return out
}

// TrainingReportTo is the bare JID completion reports go to:
// training.report_to, else it.jid; "" when the profile names neither.
func (p *Profile) TrainingReportTo() string {
	if p.Training.ReportTo != "" {
		return p.Training.ReportTo
	}
	return p.IT.JID
}

// validateTraining checks the training section beyond the required ids.
func (p *Profile) validateTraining() *Error {
	t := p.Training
	features := make([]string, 0, len(t.Gates))
	for f := range t.Gates {
		features = append(features, f)
	}
	sort.Strings(features)
	for _, f := range features {
		known := false
		for _, k := range training.Features {
			known = known || k == f
		}
		if !known {
			return invalid.T("field training.gates: {{.Value}} is not a feature (one of {{.Features}})", l10n.Args{"Value": strconv.Quote(f), "Features": strings.Join(training.Features, ", ")})
		}
		for i, id := range t.Gates[f] {
			if !idPattern.MatchString(id) {
				return invalid.T("field training.gates.{{.Feature}}[{{.I}}]: {{.Value}} is not a training id", l10n.Args{"Feature": f, "I": i, "Value": strconv.Quote(id)})
			}
		}
	}
	for i, m := range t.Modules {
		if _, err := training.Parse(fmt.Sprintf("training.modules[%d]", i), []byte(m)); err != nil {
			return malformed("field %s", strings.TrimPrefix(err.Error(), "training module "))
		}
	}
	if t.ReportTo != "" {
		at := strings.LastIndexByte(t.ReportTo, '@')
		if at <= 0 || strings.Count(t.ReportTo, "@") > 1 || strings.ContainsAny(t.ReportTo, " \t/") {
			return invalid.T("field training.report_to: {{.Value}} is not a bare JID (user@domain)", l10n.Args{"Value": strconv.Quote(t.ReportTo)})
		}
		if err := checkDomain("training.report_to", t.ReportTo[at+1:]); err != nil {
			return err
		}
	}
	return nil
}
