// Package archtest holds the tests of the house's rules, read from the
// source: which way imports run between the project's packages, and that
// no package keeps mutable state at package level. They fail with the
// file and line that breaks a rule.
package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// pkg is a package of the project as its non-test files read.
type pkg struct {
	dir   string // slash-separated, from the module root
	files []*ast.File
}

// load parses the non-test Go files of the module, by package directory.
func load(t *testing.T) (module string, fset *token.FileSet, pkgs map[string]*pkg) {
	t.Helper()
	root := filepath.Join("..", "..")
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(mod), "\n") {
		if m, ok := strings.CutPrefix(l, "module "); ok {
			module = strings.TrimSpace(m)
		}
	}
	fset = token.NewFileSet()
	pkgs = map[string]*pkg{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") && p != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution|parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		dir := filepath.ToSlash(rel)
		if pkgs[dir] == nil {
			pkgs[dir] = &pkg{dir: dir}
		}
		pkgs[dir].files = append(pkgs[dir].files, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 10 || pkgs["internal/httpapi"] == nil {
		t.Fatalf("read %d packages: not the project's tree", len(pkgs))
	}
	return module, fset, pkgs
}

func under(dir, prefix string) bool { return dir == prefix || strings.HasPrefix(dir, prefix+"/") }

// TestEveryPackageSaysWhatItOwns checks that every package has a doc
// comment (in one of its files) long enough to say what it owns.
func TestEveryPackageSaysWhatItOwns(t *testing.T) {
	_, _, pkgs := load(t)
	for dir, p := range pkgs {
		doc := ""
		for _, f := range p.files {
			if f.Doc != nil {
				doc += f.Doc.Text()
			}
		}
		if len(strings.Fields(doc)) < 8 {
			t.Errorf("%s: the package has no doc comment saying what it owns (%q)", dir, doc)
		}
	}
}

// TestImportsRunOneWay checks the directions the README's architecture
// states: the ground floor and the wire formats import no room, stores
// never reach the HTTP layer or the rooms that serve, and only the command
// and test helpers import the HTTP layer.
func TestImportsRunOneWay(t *testing.T) {
	module, fset, pkgs := load(t)
	rules := []struct {
		from   string   // packages under this directory
		except []string // … but these
		may    func(to string) bool
		why    string
	}{
		{"internal/atlas", nil, func(string) bool { return false }, "the ground floor imports no room"},
		{"internal/encoding", nil, func(string) bool { return false }, "a wire format is a leaf"},
		{"internal/cache", nil, func(string) bool { return false }, "the memory budget is a leaf: caches charge it, it knows none of them"},
		{"internal/postgis", nil, store, "a store never reaches the rooms that serve"},
		{"internal/dataset", nil, store, "a store never reaches the rooms that serve"},
		{"internal", []string{"internal/httpapi", "internal/atlastest"}, func(to string) bool { return !under(to, "internal/httpapi") },
			"only cmd/atlas and test helpers import the HTTP layer"},
	}
	checked := 0
	for dir, p := range pkgs {
		for _, r := range rules {
			if !under(dir, r.from) || slices.ContainsFunc(r.except, func(e string) bool { return under(dir, e) }) {
				continue
			}
			for _, f := range p.files {
				for _, imp := range f.Imports {
					ip, _ := strconv.Unquote(imp.Path.Value)
					to, ok := strings.CutPrefix(ip, module+"/")
					if !ok {
						continue
					}
					checked++
					if to != dir && !r.may(to) {
						t.Errorf("%s: %s imports %s: %s", fset.Position(imp.Pos()), dir, to, r.why)
					}
				}
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d imports checked", checked)
	}
}

// store is what a store may import: the vocabulary, the dataset format,
// the index it loads into, the memory budget its snapshots are charged to
// and the wire formats.
func store(to string) bool {
	return under(to, "internal/atlas") || under(to, "internal/dataset") || under(to, "internal/index") ||
		under(to, "internal/cache") || under(to, "internal/encoding")
}

// TestNoPackageState checks that package-level variables are constants in
// all but name: written only by their declaration (no assignment, no
// increment, no element written, no delete or clear), and unexported
// unless they are error sentinels. Lazily made values go through
// sync.OnceValue(s), pools through sync.Pool; state that changes belongs
// in a value its owner passes around.
func TestNoPackageState(t *testing.T) {
	_, fset, pkgs := load(t)
	vars := 0
	for _, p := range pkgs {
		globals := map[string]bool{}
		for _, f := range p.files {
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.VAR {
					continue
				}
				for _, s := range g.Specs {
					vs := s.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if n.Name == "_" {
							continue
						}
						vars++
						globals[n.Name] = true
						if n.IsExported() && !(i < len(vs.Values) && isErrorSentinel(vs.Values[i])) {
							t.Errorf("%s: %s.%s is an exported variable: make it a function or a constant", fset.Position(n.Pos()), path.Base(p.dir), n.Name)
						}
					}
				}
			}
		}
		for _, f := range p.files {
			checkWrites(t, fset, f, globals)
		}
	}
	if vars < 20 {
		t.Fatalf("only %d package-level variables found", vars)
	}
}

func isErrorSentinel(e ast.Expr) bool {
	c, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	s, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := s.X.(*ast.Ident)
	return ok && (x.Name == "errors" && s.Sel.Name == "New" || x.Name == "fmt" && s.Sel.Name == "Errorf")
}

// checkWrites reports the statements of f that write a package-level
// variable of globals. A name declared inside a function (a parameter, a
// local, a named result) shadows the global there.
func checkWrites(t *testing.T, fset *token.FileSet, f *ast.File, globals map[string]bool) {
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		local := map[string]bool{}
		declare := func(fl *ast.FieldList) {
			if fl == nil {
				return
			}
			for _, fd := range fl.List {
				for _, n := range fd.Names {
					local[n.Name] = true
				}
			}
		}
		declare(fn.Recv)
		declare(fn.Type.Params)
		declare(fn.Type.Results)
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				declare(n.Type.Params)
				declare(n.Type.Results)
			case *ast.ValueSpec:
				for _, id := range n.Names {
					local[id.Name] = true
				}
			case *ast.AssignStmt:
				for _, lhs := range n.Lhs {
					id := root(lhs)
					if id == nil {
						continue
					}
					if n.Tok == token.DEFINE {
						if _, plain := lhs.(*ast.Ident); plain {
							local[id.Name] = true
							continue
						}
					}
					if globals[id.Name] && !local[id.Name] {
						t.Errorf("%s: package-level %s is written", fset.Position(lhs.Pos()), id.Name)
					}
				}
			case *ast.RangeStmt:
				if n.Tok == token.DEFINE {
					for _, e := range []ast.Expr{n.Key, n.Value} {
						if id, ok := e.(*ast.Ident); ok {
							local[id.Name] = true
						}
					}
				}
			case *ast.IncDecStmt:
				if id := root(n.X); id != nil && globals[id.Name] && !local[id.Name] {
					t.Errorf("%s: package-level %s is written", fset.Position(n.Pos()), id.Name)
				}
			case *ast.CallExpr:
				if fid, ok := n.Fun.(*ast.Ident); ok && (fid.Name == "delete" || fid.Name == "clear") && len(n.Args) > 0 {
					if id := root(n.Args[0]); id != nil && globals[id.Name] && !local[id.Name] {
						t.Errorf("%s: package-level %s is written (%s)", fset.Position(n.Pos()), id.Name, fid.Name)
					}
				}
			}
			return true
		})
	}
}

// root is the variable an assignable expression writes into: x for x,
// x[i], x.f, *x and their combinations.
func root(e ast.Expr) *ast.Ident {
	for {
		switch v := e.(type) {
		case *ast.Ident:
			return v
		case *ast.IndexExpr:
			e = v.X
		case *ast.SelectorExpr:
			e = v.X
		case *ast.StarExpr:
			e = v.X
		case *ast.ParenExpr:
			e = v.X
		default:
			return nil
		}
	}
}
