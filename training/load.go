package training

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// MaxFileSize is the largest bank file Load and LoadFS accept (4 MiB); a real bank of a few
// hundred questions per stage is far smaller.
const MaxFileSize = 4 << 20

// Load reads a bank from one YAML document.
func Load(r io.Reader) (*Bank, error) {
	return loadSources([]source{{name: "", r: r}})
}

// LoadFS reads a bank from every *.yaml file at the root of fsys, in file-name order (the
// shipped bank prefixes the files with the stage number, so the bank follows the pipeline).
// The files are merged: stage keys and question ids must be unique across all of them.
func LoadFS(fsys fs.FS) (*Bank, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("training: listing bank files: %w", err)
	}
	if len(names) == 0 {
		return nil, &BankError{Problems: []Problem{{Message: "no *.yaml files found"}}}
	}
	var sources []source
	for _, name := range names {
		f, err := fsys.Open(name)
		if err != nil {
			return nil, fmt.Errorf("training: %w", err)
		}
		defer f.Close()
		sources = append(sources, source{name: name, r: f})
	}
	return loadSources(sources)
}

// source is one named YAML input.
type source struct {
	name string
	r    io.Reader
}

// loadSources parses every source, then validates the merged stages, so that one run reports
// every problem of every file.
func loadSources(sources []source) (*Bank, error) {
	var (
		stages []Stage
		pos    []stagePos
		p      = &parser{}
	)
	for _, src := range sources {
		p.file = src.name
		data, err := io.ReadAll(io.LimitReader(src.r, MaxFileSize+1))
		if err != nil {
			return nil, fmt.Errorf("training: reading %s: %w", displayName(src.name), err)
		}
		if len(data) > MaxFileSize {
			p.fail(nil, "", "", "", "file is larger than %d bytes", MaxFileSize)
			continue
		}
		s, sp := p.parseFile(data)
		stages = append(stages, s...)
		pos = append(pos, sp...)
	}
	if len(p.problems) > 0 {
		// Structural problems first; then whatever validation finds in what could be read,
		// so that a typo in one question does not hide the problems of the others.
		problems := p.problems
		if len(stages) > 0 {
			problems = append(problems, validate(stages, pos)...)
		}
		return nil, &BankError{Problems: problems}
	}
	return newBank(stages, pos)
}

func displayName(name string) string {
	if name == "" {
		return "input"
	}
	return name
}

// parser turns YAML nodes into stages by hand rather than with yaml's struct decoding, so that
// it can reject unknown and duplicate keys with the question id and the line, and record the
// line of every field for the validator.
type parser struct {
	file     string
	problems []Problem
}

func (p *parser) fail(n *yaml.Node, stage, question, field, format string, args ...any) {
	pr := Problem{File: p.file, Stage: stage, Question: question, Field: field, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		pr.Line = n.Line
	}
	p.problems = append(p.problems, pr)
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// parseFile reads one YAML document holding {stages: [...]}.
func (p *parser) parseFile(data []byte) ([]Stage, []stagePos) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			p.fail(nil, "", "", "", "the file is empty")
			return nil, nil
		}
		p.syntax(err)
		return nil, nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.fail(&extra, "", "", "", "more than one YAML document in the file")
		return nil, nil
	} else if !errors.Is(err, io.EOF) {
		p.syntax(err)
		return nil, nil
	}
	// Aliases are refused before anything follows them: a few kilobytes of nested aliases
	// would otherwise expand into billions of questions. A bank has no use for them.
	if aliases := findAliases(&root, nil); len(aliases) > 0 {
		for _, a := range aliases {
			p.fail(a, "", "", "", "YAML aliases (*%s) are not supported: write the value out", a.Value)
		}
		return nil, nil
	}
	top := &root
	if top.Kind == yaml.DocumentNode && len(top.Content) == 1 {
		top = top.Content[0]
	}
	fields, ok := p.mapping(top, "", "", "", "the top level")
	if !ok {
		return nil, nil
	}
	var (
		stages []Stage
		pos    []stagePos
		found  bool
	)
	for _, f := range fields {
		if f.key != "stages" {
			p.fail(f.keyNode, "", "", f.key, "unknown field (the top level has only \"stages\")")
			continue
		}
		found = true
		items, ok := p.sequence(f.val, "", "", "stages")
		if !ok {
			continue
		}
		for _, item := range items {
			if s, sp, ok := p.stage(item); ok {
				stages = append(stages, s)
				pos = append(pos, sp)
			}
		}
	}
	if !found {
		p.fail(top, "", "", "stages", "missing field")
	}
	return stages, pos
}

// syntax records a YAML syntax error, taking the line number out of the message.
func (p *parser) syntax(err error) {
	pr := Problem{File: p.file, Message: err.Error()}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		pr.Line, _ = strconv.Atoi(m[1])
	}
	p.problems = append(p.problems, pr)
}

// stage reads one stage; ok is false when the node is not a mapping at all.
func (p *parser) stage(n *yaml.Node) (s Stage, sp stagePos, ok bool) {
	sp = stagePos{file: p.file, lines: lines{"": n.Line}}
	// The key is read first so that problems in the other fields can name the stage.
	name := peek(n, "key")
	fields, ok := p.mapping(n, name, "", "", "a stage")
	if !ok {
		return s, sp, false
	}
	for _, f := range fields {
		if f.key == "key" {
			s.Key = p.str(f.val, name, "", "key")
		}
	}
	for _, f := range fields {
		sp.lines[f.key] = f.keyNode.Line
		switch f.key {
		case "key":
		case "title":
			s.Title = p.str(f.val, s.Key, "", f.key)
		case "title_en":
			s.TitleEN = p.str(f.val, s.Key, "", f.key)
		case "questions":
			items, ok := p.sequence(f.val, s.Key, "", f.key)
			if !ok {
				continue
			}
			for _, item := range items {
				if q, qp, ok := p.question(item, s.Key); ok {
					s.Questions = append(s.Questions, q)
					sp.questions = append(sp.questions, qp)
				}
			}
		default:
			p.fail(f.keyNode, s.Key, "", f.key, "unknown field (a stage has key, title, title_en, questions)")
		}
	}
	return s, sp, true
}

// question reads one question; ok is false when the node is not a mapping at all.
func (p *parser) question(n *yaml.Node, stage string) (q Question, qp questionPos, ok bool) {
	q = Question{Stage: stage}
	qp = questionPos{lines: lines{"": n.Line}}
	// The id is read first so that problems in the other fields can name the question.
	name := peek(n, "id")
	fields, ok := p.mapping(n, stage, name, "", "a question")
	if !ok {
		return q, qp, false
	}
	for _, f := range fields {
		if f.key == "id" {
			q.ID = p.str(f.val, stage, name, "id")
		}
	}
	if name == "" {
		name = "(line " + strconv.Itoa(n.Line) + ")"
	}
	for _, f := range fields {
		qp.lines[f.key] = f.keyNode.Line
		switch f.key {
		case "id":
		case "kind":
			q.Kind = Kind(p.str(f.val, stage, name, f.key))
		case "text":
			q.Text = p.str(f.val, stage, name, f.key)
		case "text_en":
			q.TextEN = p.str(f.val, stage, name, f.key)
		case "explanation":
			q.Explanation = p.str(f.val, stage, name, f.key)
		case "explanation_en":
			q.ExplanationEN = p.str(f.val, stage, name, f.key)
		case "retired":
			q.Retired = p.boolean(f.val, stage, name, f.key)
		case "correct":
			items, ok := p.sequence(f.val, stage, name, f.key)
			if !ok {
				continue
			}
			q.Correct = make([]string, 0, len(items))
			for _, item := range items {
				q.Correct = append(q.Correct, p.str(item, stage, name, f.key))
			}
		case "options":
			items, ok := p.sequence(f.val, stage, name, f.key)
			if !ok {
				continue
			}
			for i, item := range items {
				o, ol := p.option(item, stage, name, "options["+strconv.Itoa(i)+"]")
				q.Options = append(q.Options, o)
				qp.options = append(qp.options, ol)
			}
		default:
			p.fail(f.keyNode, stage, name, f.key,
				"unknown field (a question has id, kind, text, text_en, options, correct, explanation, explanation_en, retired)")
		}
	}
	return q, qp, true
}

func (p *parser) option(n *yaml.Node, stage, question, field string) (Option, lines) {
	var o Option
	ol := lines{"": n.Line}
	fields, ok := p.mapping(n, stage, question, field, "an option")
	if !ok {
		return o, ol
	}
	for _, f := range fields {
		ol[f.key] = f.keyNode.Line
		switch f.key {
		case "id":
			o.ID = p.str(f.val, stage, question, field+".id")
		case "text":
			o.Text = p.str(f.val, stage, question, field+".text")
		case "text_en":
			o.TextEN = p.str(f.val, stage, question, field+".text_en")
		default:
			p.fail(f.keyNode, stage, question, field+"."+f.key, "unknown field (an option has id, text, text_en)")
		}
	}
	return o, ol
}

// field is one key/value pair of a YAML mapping.
type field struct {
	key     string
	keyNode *yaml.Node
	val     *yaml.Node
}

// mapping returns the pairs of a mapping node, rejecting other node kinds, non-scalar keys and
// keys given twice.
func (p *parser) mapping(n *yaml.Node, stage, question, fieldName, what string) ([]field, bool) {
	if n.Kind != yaml.MappingNode {
		p.fail(n, stage, question, fieldName, "%s must be a mapping (key: value)", what)
		return nil, false
	}
	out := make([]field, 0, len(n.Content)/2)
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.fail(k, stage, question, fieldName, "a key in %s is not a plain name", what)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.fail(k, stage, question, k.Value, "field given twice (first at line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		out = append(out, field{key: k.Value, keyNode: k, val: v})
	}
	return out, true
}

// sequence returns the items of a sequence node.
func (p *parser) sequence(n *yaml.Node, stage, question, fieldName string) ([]*yaml.Node, bool) {
	if n.Kind != yaml.SequenceNode {
		p.fail(n, stage, question, fieldName, "must be a list")
		return nil, false
	}
	return n.Content, true
}

// str returns a scalar as text; null is the empty string.
func (p *parser) str(n *yaml.Node, stage, question, fieldName string) string {
	if n.Kind != yaml.ScalarNode {
		p.fail(n, stage, question, fieldName, "must be a text value")
		return ""
	}
	switch n.ShortTag() {
	case "!!null":
		return ""
	case "!!binary":
		p.fail(n, stage, question, fieldName, "binary values are not accepted")
		return ""
	}
	return n.Value
}

// boolean returns a true/false scalar.
func (p *parser) boolean(n *yaml.Node, stage, question, fieldName string) bool {
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		p.fail(n, stage, question, fieldName, "must be true or false")
		return false
	}
	return b
}

// peek returns the scalar value of key in mapping n, or "" — only to name the element in
// problems found before the key itself is read and checked.
func peek(n *yaml.Node, key string) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == key && v.Kind == yaml.ScalarNode && v.ShortTag() != "!!null" {
			return v.Value
		}
	}
	return ""
}

// maxAliasReports caps the problems reported for aliases in one file.
const maxAliasReports = 10

// findAliases collects up to maxAliasReports alias nodes of the tree, without following them.
func findAliases(n *yaml.Node, found []*yaml.Node) []*yaml.Node {
	if len(found) >= maxAliasReports {
		return found
	}
	if n.Kind == yaml.AliasNode {
		return append(found, n)
	}
	for _, c := range n.Content {
		found = findAliases(c, found)
	}
	return found
}
