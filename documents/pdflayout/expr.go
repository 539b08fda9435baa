package pdflayout

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The placeholder language is a small, closed subset of Go's text/template
// syntax, evaluated without reflection:
//
//	{{.buyer.name}}                 field of the current value (dot)
//	{{$.currency}}                  field of the root data
//	{{$item.qty}}  {{$n}}  {{$i}}   loop element, 1-based and 0-based index
//	{{$page}} {{$pages}}            page number and count (header/footer only)
//	{{money .total}}                function call with arguments
//	{{.total | money}}              pipeline: value becomes the last argument
//	{{words (add .a .b) "RUB"}}     parenthesised sub-pipelines, string and
//	                                number literals, true, false, nil
//
// Functions come only from the engine's function table; templates cannot
// reach methods, files or anything else of the program.

// maxExprLen bounds one {{...}} expression.
const maxExprLen = 1000

type operandKind uint8

const (
	opdField  operandKind = iota // .a.b, relative to dot ("." alone: dot)
	opdVar                       // $, $name with an optional .a.b
	opdString                    // "text" or 'text'
	opdNumber                    // 12, -3.5
	opdBool
	opdNil
	opdPipe // ( pipeline )
)

// varKind says what a $variable refers to.
type varKind uint8

const (
	varRoot  varKind = iota // $
	varElem                 // $name of <each as="name">
	varN                    // $n: 1-based index of the innermost loop
	varI                    // $i: 0-based index of the innermost loop
	varPage                 // $page
	varPages                // $pages
)

type operand struct {
	kind  operandKind
	path  []string
	vkind varKind
	depth int // loop depth for varElem/varN/varI
	lit   any
	sub   *pipeline
}

type command struct {
	name string // function name; "" for a bare operand
	fn   Func
	args []operand
}

type pipeline struct {
	cmds []command
	src  string
	pos  Pos
}

// scope is what the parser knows at a point of the template: the loops
// around it (innermost last) and whether page variables are available.
type scope struct {
	loops     []loopScope
	pageVars  bool
	funcs     Funcs
	collector *pathSet
}

type loopScope struct {
	name string // as="name", or ""
	path string // data path of the list, e.g. "items" or "sections[].lines"
}

// pathSet collects the data paths a template references.
type pathSet map[string]struct{}

// dotPath is the data path of dot at this point ("" is the root).
func (s *scope) dotPath() string {
	if len(s.loops) == 0 {
		return ""
	}
	return s.loops[len(s.loops)-1].path + "[]"
}

func joinPath(prefix string, path []string) string {
	p := strings.Join(path, ".")
	switch {
	case prefix == "":
		return p
	case p == "":
		return prefix
	}
	return prefix + "." + p
}

// parsePipeline parses the text between {{ and }}.
func parsePipeline(src string, at Pos, sc *scope) (*pipeline, error) {
	if len(src) > maxExprLen {
		return nil, &ParseError{Pos: at, Msg: fmt.Sprintf("expression longer than %d bytes", maxExprLen)}
	}
	p := &exprParser{src: src, at: at, sc: sc}
	p.next()
	pl, err := p.pipeline()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.errf("unexpected %s after the expression", p.tok)
	}
	return pl, nil
}

type tokKind uint8

const (
	tEOF tokKind = iota
	tField
	tVar
	tIdent
	tString
	tNumber
	tPipe
	tLParen
	tRParen
	tError
)

type token struct {
	kind tokKind
	text string // raw text; for strings the unquoted value
	off  int
}

// String describes the token for error messages.
func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tPipe:
		return `"|"`
	case tLParen:
		return `"("`
	case tRParen:
		return `")"`
	case tString:
		return strconv.Quote(t.text)
	}
	return strconv.Quote(t.text)
}

type exprParser struct {
	src  string
	pos  int
	at   Pos
	sc   *scope
	tok  token
	err  error
	nest int
}

func (p *exprParser) errf(format string, args ...any) error {
	if p.err != nil {
		return p.err
	}
	pos := p.at
	pos.Col += p.tok.off
	return &ParseError{Pos: pos, Msg: fmt.Sprintf("in {{%s}}: ", p.src) + fmt.Sprintf(format, args...)}
}

func isIdentRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// next reads the next token into p.tok.
func (p *exprParser) next() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
	start := p.pos
	if p.pos >= len(p.src) {
		p.tok = token{kind: tEOF, off: start}
		return
	}
	c := p.src[p.pos]
	ident := func() {
		for p.pos < len(p.src) {
			r, n := utf8.DecodeRuneInString(p.src[p.pos:])
			if !isIdentRune(r) {
				break
			}
			p.pos += n
		}
	}
	path := func() { // .a.b.c
		for p.pos < len(p.src) && p.src[p.pos] == '.' {
			p.pos++
			ident()
		}
	}
	switch {
	case c == '|':
		p.pos++
		p.tok = token{kind: tPipe, text: "|", off: start}
	case c == '(':
		p.pos++
		p.tok = token{kind: tLParen, text: "(", off: start}
	case c == ')':
		p.pos++
		p.tok = token{kind: tRParen, text: ")", off: start}
	case c == '.':
		path()
		p.tok = token{kind: tField, text: p.src[start:p.pos], off: start}
	case c == '$':
		p.pos++
		ident()
		path()
		p.tok = token{kind: tVar, text: p.src[start:p.pos], off: start}
	case c == '"' || c == '\'':
		p.pos++
		var sb strings.Builder
		for {
			if p.pos >= len(p.src) {
				p.tok = token{kind: tError, text: "unterminated string", off: start}
				return
			}
			ch := p.src[p.pos]
			if ch == c {
				p.pos++
				break
			}
			if ch == '\\' && p.pos+1 < len(p.src) {
				p.pos++
				switch e := p.src[p.pos]; e {
				case 'n':
					sb.WriteByte('\n')
				case 't':
					sb.WriteByte('\t')
				case '\\', '"', '\'':
					sb.WriteByte(e)
				default:
					p.tok = token{kind: tError, text: fmt.Sprintf(`unknown escape \%c in string`, e), off: p.pos - 1}
					return
				}
				p.pos++
				continue
			}
			sb.WriteByte(ch)
			p.pos++
		}
		p.tok = token{kind: tString, text: sb.String(), off: start}
	case c == '-' || c >= '0' && c <= '9':
		p.pos++
		for p.pos < len(p.src) && (p.src[p.pos] >= '0' && p.src[p.pos] <= '9' || p.src[p.pos] == '.') {
			p.pos++
		}
		p.tok = token{kind: tNumber, text: p.src[start:p.pos], off: start}
	default:
		r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
		if !unicode.IsLetter(r) && r != '_' {
			p.tok = token{kind: tError, text: fmt.Sprintf("unexpected character %q", r), off: start}
			p.pos += utf8.RuneLen(r)
			return
		}
		ident()
		p.tok = token{kind: tIdent, text: p.src[start:p.pos], off: start}
	}
}

func (p *exprParser) pipeline() (*pipeline, error) {
	pl := &pipeline{src: p.src, pos: p.at}
	for {
		cmd, err := p.command(len(pl.cmds) > 0)
		if err != nil {
			return nil, err
		}
		pl.cmds = append(pl.cmds, cmd)
		if p.tok.kind != tPipe {
			return pl, nil
		}
		p.next()
	}
}

// command parses a function call or, as the first command only, a single
// operand. piped says a value will be appended as the last argument.
func (p *exprParser) command(piped bool) (command, error) {
	if p.tok.kind == tError {
		return command{}, p.errf("%s", p.tok.text)
	}
	if p.tok.kind == tIdent && p.tok.text != "true" && p.tok.text != "false" && p.tok.text != "nil" {
		name := p.tok.text
		fn, ok := p.sc.funcs[name]
		if !ok {
			return command{}, p.errf("unknown function %q (known: %s)", name, strings.Join(p.sc.funcs.names(), ", "))
		}
		nameTok := p.tok
		p.next()
		cmd := command{name: name, fn: fn}
		for p.tok.kind != tEOF && p.tok.kind != tPipe && p.tok.kind != tRParen {
			o, err := p.operand()
			if err != nil {
				return command{}, err
			}
			cmd.args = append(cmd.args, o)
		}
		n := len(cmd.args)
		if piped {
			n++
		}
		if n < fn.MinArgs || fn.MaxArgs >= 0 && n > fn.MaxArgs {
			save := p.tok
			p.tok = nameTok
			err := p.errf("function %q takes %s, got %d", name, fn.arity(), n)
			p.tok = save
			return command{}, err
		}
		return cmd, nil
	}
	if piped {
		return command{}, p.errf("after \"|\" a function name is expected, not %s", p.tok)
	}
	o, err := p.operand()
	if err != nil {
		return command{}, err
	}
	if p.tok.kind != tEOF && p.tok.kind != tPipe && p.tok.kind != tRParen {
		return command{}, p.errf("unexpected %s: only a function can take arguments", p.tok)
	}
	return command{args: []operand{o}}, nil
}

func (p *exprParser) operand() (operand, error) {
	t := p.tok
	switch t.kind {
	case tError:
		return operand{}, p.errf("%s", t.text)
	case tField:
		path, err := p.splitPath(t.text)
		if err != nil {
			return operand{}, err
		}
		p.sc.collect(joinPath(p.sc.dotPath(), path))
		p.next()
		return operand{kind: opdField, path: path}, nil
	case tVar:
		o, err := p.variable(t.text)
		if err != nil {
			return operand{}, err
		}
		p.next()
		return o, nil
	case tString:
		p.next()
		return operand{kind: opdString, lit: t.text}, nil
	case tNumber:
		if !isDecimal(t.text) {
			return operand{}, p.errf("malformed number %q", t.text)
		}
		p.next()
		return operand{kind: opdNumber, lit: json.Number(t.text)}, nil
	case tIdent:
		p.next()
		switch t.text {
		case "true", "false":
			return operand{kind: opdBool, lit: t.text == "true"}, nil
		case "nil":
			return operand{kind: opdNil}, nil
		}
		return operand{}, p.errf("function %q used as an argument; wrap the call in parentheses", t.text)
	case tLParen:
		if p.nest++; p.nest > 20 {
			return operand{}, p.errf("parentheses nested too deeply")
		}
		p.next()
		sub, err := p.pipeline()
		if err != nil {
			return operand{}, err
		}
		if p.tok.kind != tRParen {
			return operand{}, p.errf("missing \")\"")
		}
		p.nest--
		p.next()
		return operand{kind: opdPipe, sub: sub}, nil
	}
	return operand{}, p.errf("unexpected %s", t)
}

// splitPath turns ".a.b" into ["a","b"] ("." alone is dot itself).
func (p *exprParser) splitPath(s string) ([]string, error) {
	if s == "." {
		return nil, nil
	}
	parts := strings.Split(s[1:], ".")
	for _, part := range parts {
		if part == "" {
			return nil, p.errf("malformed field path %q", s)
		}
	}
	return parts, nil
}

func (p *exprParser) variable(s string) (operand, error) {
	name, rest, _ := strings.Cut(s[1:], ".")
	var path []string
	if rest != "" || strings.HasSuffix(s, ".") {
		var err error
		if path, err = p.splitPath("." + rest); err != nil {
			return operand{}, err
		}
	}
	sc := p.sc
	innermost := len(sc.loops) - 1
	switch name {
	case "":
		sc.collect(joinPath("", path))
		return operand{kind: opdVar, vkind: varRoot, path: path}, nil
	case "n", "i":
		if innermost < 0 {
			return operand{}, p.errf("$%s is only defined inside <each> or <row each>", name)
		}
		if len(path) > 0 {
			return operand{}, p.errf("$%s is a number and has no fields", name)
		}
		k := varN
		if name == "i" {
			k = varI
		}
		return operand{kind: opdVar, vkind: k, depth: innermost}, nil
	case "page", "pages":
		if !sc.pageVars {
			return operand{}, p.errf("$%s is only defined inside <header> and <footer>", name)
		}
		k := varPage
		if name == "pages" {
			k = varPages
		}
		return operand{kind: opdVar, vkind: k}, nil
	}
	for d := innermost; d >= 0; d-- {
		if sc.loops[d].name == name {
			sc.collect(joinPath(sc.loops[d].path+"[]", path))
			return operand{kind: opdVar, vkind: varElem, depth: d, path: path}, nil
		}
	}
	return operand{}, p.errf("undefined variable $%s (loop variables are declared with as=\"%s\")", name, name)
}

func (sc *scope) collect(path string) {
	if sc.collector != nil && path != "" {
		(*sc.collector)[path] = struct{}{}
	}
}

// isDecimal reports whether s is an optionally signed decimal number with
// an optional fraction: "12", "-3.50".
func isDecimal(s string) bool {
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || hasDot && frac == "" {
		return false
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return true
}

// ---- evaluation ----

type loopFrame struct {
	elem any
	i    int
}

// evalState is the per-render evaluation context.
type evalState struct {
	root        any
	loops       []loopFrame
	page, pages int
	argBuf      []any
}

func (st *evalState) eval(pl *pipeline) (any, error) {
	var v any
	for k := range pl.cmds {
		cmd := &pl.cmds[k]
		if cmd.name == "" {
			var err error
			if v, err = st.operand(&cmd.args[0]); err != nil {
				return nil, err
			}
			continue
		}
		base := len(st.argBuf)
		for a := range cmd.args {
			x, err := st.operand(&cmd.args[a])
			if err != nil {
				st.argBuf = st.argBuf[:base]
				return nil, err
			}
			st.argBuf = append(st.argBuf, x)
		}
		if k > 0 {
			st.argBuf = append(st.argBuf, v)
		}
		r, err := cmd.fn.Fn(st.argBuf[base:len(st.argBuf):len(st.argBuf)])
		clear(st.argBuf[base:])
		st.argBuf = st.argBuf[:base]
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cmd.name, err)
		}
		v = r
	}
	return v, nil
}

func (st *evalState) operand(o *operand) (any, error) {
	switch o.kind {
	case opdField:
		dot := st.root
		if n := len(st.loops); n > 0 {
			dot = st.loops[n-1].elem
		}
		return lookup(dot, o.path)
	case opdVar:
		switch o.vkind {
		case varRoot:
			return lookup(st.root, o.path)
		case varElem:
			return lookup(st.loops[o.depth].elem, o.path)
		case varN:
			return st.loops[o.depth].i + 1, nil
		case varI:
			return st.loops[o.depth].i, nil
		case varPage:
			return st.page, nil
		case varPages:
			return st.pages, nil
		}
	case opdString, opdNumber, opdBool:
		return o.lit, nil
	case opdNil:
		return nil, nil
	case opdPipe:
		return st.eval(o.sub)
	}
	return nil, fmt.Errorf("internal error: operand kind %d", o.kind)
}

// lookup walks path through nested maps. A missing key gives nil (so that
// optional fields print as nothing and test false); walking into a value
// that is not an object is an error.
func lookup(v any, path []string) (any, error) {
	for i, key := range path {
		switch m := v.(type) {
		case map[string]any:
			v = m[key]
		case nil:
			return nil, nil
		default:
			return nil, fmt.Errorf("cannot read field %q of %s (at .%s)", key, kindOf(v), strings.Join(path[:i+1], "."))
		}
	}
	return v, nil
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case string:
		return "a string"
	case json.Number, float64, int, int64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a value of type %T", v)
}

// truth reports whether v counts as true in <if test>: false, nil, zero
// numbers, and empty strings, lists and objects are false.
func truth(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case json.Number:
		f, err := x.Float64()
		return err != nil || f != 0
	case float64:
		return x != 0
	case int:
		return x != 0
	case int64:
		return x != 0
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// appendText appends the printed form of v.
func appendText(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return dst, nil
	case string:
		return append(dst, x...), nil
	case json.Number:
		return append(dst, x...), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case float64:
		return strconv.AppendFloat(dst, x, 'f', -1, 64), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	}
	return dst, fmt.Errorf("cannot print %s; pick a field or use a function such as join or len", kindOf(v))
}
