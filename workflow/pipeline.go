package workflow

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Names holds a Russian and an English name.
type Names struct {
	Ru string `yaml:"ru" json:"ru"`
	En string `yaml:"en" json:"en"`
}

// Pipeline is an ordered list of stages, parsed from a versioned YAML document.
type Pipeline struct {
	ID      int64  // storage id of this version (0 when parsed offline)
	Key     string // stable name across versions, e.g. "corporate"
	Version int    // 1, 2, … per Key (0 when parsed offline)
	Name    Names
	Stages  []Stage
	Source  []byte // the YAML it was parsed from
	SHA256  string // hex SHA-256 of Source
}

// Stage is one step of a sale.
type Stage struct {
	Key          string
	Name         Names
	Skippable    bool
	ExitRoles    []Role // who may move a deal out of the stage (admins always may)
	TrainingGate bool   // the person moving a deal out must have passed this stage's test
	Requires     []Requirement
}

// Requirement is one piece of evidence a stage needs before a deal may leave it. Exactly one
// of Company, Documents, Activities, Fact, Field or AnyOf is set.
type Requirement struct {
	Company       bool
	Documents     []DocumentKind // any of these, final
	Activities    []ActivityKind // any of these
	DecisionMaker bool           // with Activities: held with a decision maker
	Fact          FactKind
	Field         string // deal field: amount, cost
	AnyOf         []Requirement
}

// Limits on a pipeline document, so that an uploaded file cannot exhaust the server.
const (
	MaxPipelineBytes  = 256 << 10
	MaxPipelineStages = 100
)

var keyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// PipelineError is a problem in a pipeline document, with its place.
type PipelineError struct {
	Line  int    // 1-based line in the YAML, 0 when unknown
	Stage string // stage key, when the problem is inside a stage
	Field string // e.g. "stages[3].requires[0].document"
	Msg   string
}

func (e *PipelineError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Stage != "" {
		fmt.Fprintf(&b, "stage %q: ", e.Stage)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, "%s: ", e.Field)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ParsePipeline reads and validates a pipeline document. Errors are *PipelineError values
// naming the line, the stage and the field.
func ParsePipeline(r io.Reader) (*Pipeline, error) {
	src, err := io.ReadAll(io.LimitReader(r, MaxPipelineBytes+1))
	if err != nil {
		return nil, &PipelineError{Msg: "cannot read: " + err.Error()}
	}
	if len(src) > MaxPipelineBytes {
		return nil, &PipelineError{Msg: fmt.Sprintf("document is larger than %d bytes", MaxPipelineBytes)}
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&root); err != nil {
		if err == io.EOF {
			return nil, &PipelineError{Msg: "empty document"}
		}
		return nil, &PipelineError{Line: yamlErrLine(err), Msg: "unreadable YAML: " + cleanYAMLErr(err)}
	}
	// A second document would be stored with the pipeline but never read: refuse it.
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			return nil, &PipelineError{Line: yamlErrLine(err), Msg: "unreadable YAML: " + cleanYAMLErr(err)}
		}
		return nil, &PipelineError{Line: extra.Line, Msg: "a pipeline is a single YAML document; remove everything from this ---"}
	}
	p := &Pipeline{Source: src}
	sum := sha256.Sum256(src)
	p.SHA256 = hex.EncodeToString(sum[:])
	if err := p.fromNode(&root); err != nil {
		return nil, err
	}
	return p, nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func yamlErrLine(err error) int {
	m := yamlLineRE.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	n := 0
	fmt.Sscanf(m[1], "%d", &n)
	return n
}

func cleanYAMLErr(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

func (p *Pipeline) fromNode(root *yaml.Node) error {
	doc := root
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return &PipelineError{Msg: "empty document"}
		}
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return &PipelineError{Line: doc.Line, Msg: "a pipeline must be a mapping with key, name and stages"}
	}
	fields, err := mapping(doc, "", "", "key", "name", "stages")
	if err != nil {
		return err
	}
	if n := fields["key"]; n == nil {
		return &PipelineError{Line: doc.Line, Field: "key", Msg: "is required"}
	} else if n.Kind != yaml.ScalarNode || !keyRE.MatchString(n.Value) {
		return &PipelineError{Line: n.Line, Field: "key", Msg: "must be lower-case letters, digits and _ (e.g. corporate)"}
	} else {
		p.Key = n.Value
	}
	if n := fields["name"]; n != nil {
		if err := names(n, "", "name", &p.Name); err != nil {
			return err
		}
	}
	stagesNode := fields["stages"]
	if stagesNode == nil || stagesNode.Kind != yaml.SequenceNode || len(stagesNode.Content) == 0 {
		line := doc.Line
		if stagesNode != nil {
			line = stagesNode.Line
		}
		return &PipelineError{Line: line, Field: "stages", Msg: "a pipeline needs at least one stage"}
	}
	if len(stagesNode.Content) > MaxPipelineStages {
		return &PipelineError{Line: stagesNode.Line, Field: "stages", Msg: fmt.Sprintf("more than %d stages", MaxPipelineStages)}
	}
	seen := map[string]int{}
	for i, sn := range stagesNode.Content {
		path := fmt.Sprintf("stages[%d]", i)
		st, err := stageFromNode(sn, path)
		if err != nil {
			return err
		}
		if first, dup := seen[st.Key]; dup {
			return &PipelineError{Line: sn.Line, Stage: st.Key, Field: path + ".key", Msg: fmt.Sprintf("duplicate stage key (first used by stages[%d])", first)}
		}
		seen[st.Key] = i
		p.Stages = append(p.Stages, st)
	}
	return nil
}

func stageFromNode(n *yaml.Node, path string) (Stage, error) {
	var st Stage
	if n.Kind != yaml.MappingNode {
		return st, &PipelineError{Line: n.Line, Field: path, Msg: "a stage must be a mapping"}
	}
	keyNode := findKey(n, "key")
	if keyNode != nil && keyNode.Kind == yaml.ScalarNode {
		st.Key = keyNode.Value
	}
	fields, err := mapping(n, st.Key, path, "key", "name", "skippable", "exit_roles", "training_gate", "requires")
	if err != nil {
		return st, err
	}
	if keyNode == nil {
		return st, &PipelineError{Line: n.Line, Field: path + ".key", Msg: "is required"}
	}
	if keyNode.Kind != yaml.ScalarNode || !keyRE.MatchString(keyNode.Value) {
		return st, &PipelineError{Line: keyNode.Line, Stage: st.Key, Field: path + ".key", Msg: "must be lower-case letters, digits and _ (e.g. cold_call)"}
	}
	if nn := fields["name"]; nn != nil {
		if err := names(nn, st.Key, path+".name", &st.Name); err != nil {
			return st, err
		}
	} else {
		return st, &PipelineError{Line: n.Line, Stage: st.Key, Field: path + ".name", Msg: "is required (ru and en)"}
	}
	if b := fields["skippable"]; b != nil {
		if err := b.Decode(&st.Skippable); err != nil || b.Kind != yaml.ScalarNode {
			return st, &PipelineError{Line: b.Line, Stage: st.Key, Field: path + ".skippable", Msg: "must be true or false"}
		}
	}
	if b := fields["training_gate"]; b != nil {
		if err := b.Decode(&st.TrainingGate); err != nil || b.Kind != yaml.ScalarNode {
			return st, &PipelineError{Line: b.Line, Stage: st.Key, Field: path + ".training_gate", Msg: "must be true or false"}
		}
	}
	if rn := fields["exit_roles"]; rn != nil {
		list, err := stringList(rn, st.Key, path+".exit_roles")
		if err != nil {
			return st, err
		}
		for _, r := range list {
			role := Role(r)
			if !role.Valid() {
				return st, &PipelineError{Line: rn.Line, Stage: st.Key, Field: path + ".exit_roles", Msg: fmt.Sprintf("unknown role %q (known: admin, manager, rep, backoffice, auditor)", r)}
			}
			if role == RoleAuditor {
				return st, &PipelineError{Line: rn.Line, Stage: st.Key, Field: path + ".exit_roles", Msg: "auditors are read-only and cannot move deals"}
			}
			st.ExitRoles = append(st.ExitRoles, role)
		}
	} else {
		st.ExitRoles = []Role{RoleRep, RoleManager}
	}
	if rq := fields["requires"]; rq != nil {
		if rq.Kind != yaml.SequenceNode {
			return st, &PipelineError{Line: rq.Line, Stage: st.Key, Field: path + ".requires", Msg: "must be a list of requirements"}
		}
		for i, item := range rq.Content {
			req, err := requirementFromNode(item, st.Key, fmt.Sprintf("%s.requires[%d]", path, i), 0)
			if err != nil {
				return st, err
			}
			st.Requires = append(st.Requires, req)
		}
	}
	return st, nil
}

func requirementFromNode(n *yaml.Node, stage, path string, depth int) (Requirement, error) {
	var r Requirement
	if depth > 4 {
		return r, &PipelineError{Line: n.Line, Stage: stage, Field: path, Msg: "any_of nested too deeply"}
	}
	if n.Kind != yaml.MappingNode {
		return r, &PipelineError{Line: n.Line, Stage: stage, Field: path, Msg: "a requirement must be a mapping such as {document: proposal}"}
	}
	fields, err := mapping(n, stage, path, "company", "document", "activity", "decision_maker", "fact", "field", "any_of")
	if err != nil {
		return r, err
	}
	set := 0
	for _, k := range []string{"company", "document", "activity", "fact", "field", "any_of"} {
		if fields[k] != nil {
			set++
		}
	}
	if set != 1 {
		return r, &PipelineError{Line: n.Line, Stage: stage, Field: path, Msg: "a requirement names exactly one of company, document, activity, fact, field, any_of"}
	}
	if dm := fields["decision_maker"]; dm != nil {
		if fields["activity"] == nil {
			return r, &PipelineError{Line: dm.Line, Stage: stage, Field: path + ".decision_maker", Msg: "only goes with activity"}
		}
		if err := dm.Decode(&r.DecisionMaker); err != nil || dm.Kind != yaml.ScalarNode {
			return r, &PipelineError{Line: dm.Line, Stage: stage, Field: path + ".decision_maker", Msg: "must be true or false"}
		}
	}
	switch {
	case fields["company"] != nil:
		c := fields["company"]
		if c.Kind != yaml.ScalarNode || c.Value != "valid" {
			return r, &PipelineError{Line: c.Line, Stage: stage, Field: path + ".company", Msg: `the only company requirement is "valid"`}
		}
		r.Company = true
	case fields["document"] != nil:
		list, err := stringList(fields["document"], stage, path+".document")
		if err != nil {
			return r, err
		}
		for _, k := range list {
			if !DocumentKind(k).Valid() {
				return r, &PipelineError{Line: fields["document"].Line, Stage: stage, Field: path + ".document", Msg: fmt.Sprintf("unknown document kind %q", k)}
			}
			r.Documents = append(r.Documents, DocumentKind(k))
		}
	case fields["activity"] != nil:
		list, err := stringList(fields["activity"], stage, path+".activity")
		if err != nil {
			return r, err
		}
		for _, k := range list {
			if !ActivityKind(k).Valid() {
				return r, &PipelineError{Line: fields["activity"].Line, Stage: stage, Field: path + ".activity", Msg: fmt.Sprintf("unknown activity kind %q", k)}
			}
			r.Activities = append(r.Activities, ActivityKind(k))
		}
	case fields["fact"] != nil:
		f := fields["fact"]
		if f.Kind != yaml.ScalarNode || !FactKind(f.Value).Valid() {
			return r, &PipelineError{Line: f.Line, Stage: stage, Field: path + ".fact", Msg: fmt.Sprintf("unknown fact kind %q", f.Value)}
		}
		r.Fact = FactKind(f.Value)
	case fields["field"] != nil:
		f := fields["field"]
		if f.Kind != yaml.ScalarNode || (f.Value != "amount" && f.Value != "cost") {
			return r, &PipelineError{Line: f.Line, Stage: stage, Field: path + ".field", Msg: fmt.Sprintf("unknown deal field %q (known: amount, cost)", f.Value)}
		}
		r.Field = f.Value
	case fields["any_of"] != nil:
		a := fields["any_of"]
		if a.Kind != yaml.SequenceNode || len(a.Content) < 2 {
			return r, &PipelineError{Line: a.Line, Stage: stage, Field: path + ".any_of", Msg: "must list at least two requirements"}
		}
		for i, item := range a.Content {
			sub, err := requirementFromNode(item, stage, fmt.Sprintf("%s.any_of[%d]", path, i), depth+1)
			if err != nil {
				return r, err
			}
			r.AnyOf = append(r.AnyOf, sub)
		}
	}
	return r, nil
}

// mapping returns the values of a mapping node by key and refuses unknown and duplicate keys.
func mapping(n *yaml.Node, stage, path string, allowed ...string) (map[string]*yaml.Node, error) {
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		field := k.Value
		if path != "" {
			field = path + "." + k.Value
		}
		ok := false
		for _, a := range allowed {
			if a == k.Value {
				ok = true
			}
		}
		if !ok {
			return nil, &PipelineError{Line: k.Line, Stage: stage, Field: field, Msg: fmt.Sprintf("unknown field (allowed: %s)", strings.Join(allowed, ", "))}
		}
		if _, dup := out[k.Value]; dup {
			return nil, &PipelineError{Line: k.Line, Stage: stage, Field: field, Msg: "given twice"}
		}
		out[k.Value] = v
	}
	return out, nil
}

func findKey(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func names(n *yaml.Node, stage, path string, out *Names) error {
	if n.Kind != yaml.MappingNode {
		return &PipelineError{Line: n.Line, Stage: stage, Field: path, Msg: "must be a mapping with ru and en"}
	}
	f, err := mapping(n, stage, path, "ru", "en")
	if err != nil {
		return err
	}
	for _, lang := range []string{"ru", "en"} {
		v := f[lang]
		if v == nil || v.Kind != yaml.ScalarNode || strings.TrimSpace(v.Value) == "" {
			return &PipelineError{Line: n.Line, Stage: stage, Field: path + "." + lang, Msg: "is required"}
		}
		if len(v.Value) > 200 {
			return &PipelineError{Line: v.Line, Stage: stage, Field: path + "." + lang, Msg: "is longer than 200 bytes"}
		}
	}
	out.Ru, out.En = f["ru"].Value, f["en"].Value
	return nil
}

func stringList(n *yaml.Node, stage, path string) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value == "" {
			return nil, &PipelineError{Line: n.Line, Stage: stage, Field: path, Msg: "is empty"}
		}
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			return nil, &PipelineError{Line: n.Line, Stage: stage, Field: path, Msg: "is an empty list"}
		}
		var out []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, &PipelineError{Line: c.Line, Stage: stage, Field: path, Msg: "must be a list of names"}
			}
			out = append(out, c.Value)
		}
		return out, nil
	}
	return nil, &PipelineError{Line: n.Line, Stage: stage, Field: path, Msg: "must be a name or a list of names"}
}

// StageIndex returns the position of the stage with key, or -1.
func (p *Pipeline) StageIndex(key string) int {
	for i, s := range p.Stages {
		if s.Key == key {
			return i
		}
	}
	return -1
}

// Stage returns the stage with key.
func (p *Pipeline) Stage(key string) (Stage, bool) {
	if i := p.StageIndex(key); i >= 0 {
		return p.Stages[i], true
	}
	return Stage{}, false
}

// First returns the first stage.
func (p *Pipeline) First() Stage { return p.Stages[0] }

// MayExit reports whether role may move a deal out of the stage.
func (s Stage) MayExit(role Role) bool {
	if role == RoleAdmin {
		return true
	}
	for _, r := range s.ExitRoles {
		if r == role {
			return true
		}
	}
	return false
}

// DocumentKindsRequired lists the document kinds any requirement of the stage mentions.
func (s Stage) DocumentKindsRequired() []DocumentKind {
	var out []DocumentKind
	var walk func(rs []Requirement)
	walk = func(rs []Requirement) {
		for _, r := range rs {
			out = append(out, r.Documents...)
			walk(r.AnyOf)
		}
	}
	walk(s.Requires)
	return out
}
