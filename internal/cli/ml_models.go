package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/ml"
	"github.com/sluice-dev/sluice/ml/fpm"
	"github.com/sluice-dev/sluice/ml/recommendation"
	"github.com/sluice-dev/sluice/models"
)

// loadStage loads the fitted stage at uri: a directory saved by
// `sluice ml fit --out` (ml.Save), an MLflow model directory, or a model
// URI (models:/…, runs:/…) resolved like `sluice models predict` does.
func (a *app) loadStage(ref *modelRef, uri string, reg *ml.Registry) (ml.Stage, error) {
	u, err := models.ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if u.Kind == models.KindLocal {
		if _, err := os.Stat(filepath.Join(u.Path, models.MLmodelFile)); errors.Is(err, os.ErrNotExist) {
			return ml.Load(u.Path, reg)
		}
	}
	res, err := ref.resolve(uri)
	if err != nil {
		return nil, err
	}
	m, err := ref.load(a.ctx, res.Dir, reg)
	if err != nil {
		return nil, err
	}
	return m.Pipeline, nil
}

// modelFrames lists the learned tables of every stage in st (depth
// first), keyed "NAME" or, when two stages have one of the same name,
// "STAGE.NAME".
func modelFrames(st ml.Stage) []namedFrame {
	var out []namedFrame
	var walk func(s ml.Stage)
	walk = func(s ml.Stage) {
		if mf, ok := s.(ml.ModelFrames); ok {
			for _, n := range mf.FrameNames() {
				out = append(out, namedFrame{stage: s.StageName(), name: n, src: mf})
			}
		}
		if c, ok := s.(ml.StageContainer); ok {
			for _, ch := range c.Children() {
				walk(ch)
			}
		}
	}
	walk(st)
	return out
}

type namedFrame struct {
	stage, name string
	src         ml.ModelFrames
}

func (a *app) mlFramesCmd() *cobra.Command {
	ref := &modelRef{a: a}
	var sink frameSink
	c := &cobra.Command{
		Use:   "frames MODEL [NAME] [--into TABLE | --out-file F]",
		Short: "List or export a model's learned tables (factors, item sets, topics, centres)",
		Long: `Models whose learned state is a table expose it as named frames, with
Spark's names: ALS userFactors and itemFactors, FPGrowth freqItemsets and
associationRules, LDA topics, KMeans clusterCenters, Word2Vec vectors,
GaussianMixture gaussians. Without NAME, list them; with NAME, print the
first rows, or write the frame into a table (--into, --mode) or a file
(--out-file: .parquet or .csv). Vector columns are stored as arrays of
doubles.

MODEL is a directory saved by 'sluice ml fit --out' or an MLflow model
(` + "`models:/NAME@ALIAS`, `runs:/RUN_ID/model`" + `, a directory).`,
		Example: `  sluice ml frames models:/movielens@champion
  sluice ml frames models:/movielens@champion itemFactors --into movielens.item_factors
  sluice ml frames /tmp/baskets FPGrowthModel.associationRules --limit 10
  sluice ml frames /tmp/baskets freqItemsets --out-file itemsets.parquet`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := sink.check(); err != nil {
				return usage(cmd, err)
			}
			reg, eng, err := a.mlRegistry()
			if err != nil {
				return err
			}
			st, err := a.loadStage(ref, args[0], reg)
			if err != nil {
				return err
			}
			all := modelFrames(st)
			count := map[string]int{}
			for _, f := range all {
				count[f.name]++
			}
			label := func(f namedFrame) string {
				if count[f.name] > 1 {
					return f.stage + "." + f.name
				}
				return f.name
			}
			if len(args) == 1 {
				if len(all) == 0 {
					return fmt.Errorf("%s (%s) has no learned tables; models with them: ALS, FPGrowth, LDA, KMeans, BisectingKMeans, GaussianMixture, Word2Vec", args[0], st.StageName())
				}
				g := &grid{cols: []string{"frame", "stage"}}
				for _, f := range all {
					g.add(label(f), f.stage)
				}
				return printGrid(a.stdout, sink.output, g)
			}
			var names []string
			for _, f := range all {
				l := label(f)
				names = append(names, l)
				if l != args[1] && !(count[f.name] == 1 && f.stage+"."+f.name == args[1]) {
					continue
				}
				fr, err := f.src.ModelFrame(a.ctx, f.name)
				if err != nil {
					return err
				}
				if fr, err = fr.StorableColumns(); err != nil {
					return err
				}
				return a.emitFrame(cmd, eng, fr, sink)
			}
			msg := fmt.Sprintf("%s has no frame %q", args[0], args[1])
			if near := ml.Nearest(args[1], names); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near)
			}
			if len(names) > 0 {
				msg += " (frames: " + strings.Join(names, ", ") + ")"
			}
			return usage(cmd, errors.New(msg))
		},
	}
	ref.flags(c)
	sink.flags(c, "the frame", "overwrite", 20)
	return c
}

func (a *app) mlRecommendCmd() *cobra.Command {
	ref := &modelRef{a: a}
	var sink frameSink
	var forWhat, ids string
	var k int
	c := &cobra.Command{
		Use:   "recommend MODEL [--k 10] [--for users|items] [--ids SQL] [--into TABLE | --out-file F]",
		Short: "Write an ALS model's top-k recommendations for every user (or item)",
		Long: `Find the ALS model in MODEL (alone, in a pipeline, or a tuning model's
best) and compute the top k items for every user — or, with --for items,
the top k users for every item; --ids SQL limits it to the ids in the
query's first column. Rows are (user, rank, item, score), named after the
model's userCol and itemCol, rank 1 being the best; print the first rows,
or write them into a table (--into, --mode) or a file (--out-file:
.parquet or .csv). Scores are computed block by block, never as a full
users × items matrix. Items a user rated are not excluded (as in Spark).

MODEL is a directory saved by 'sluice ml fit --out' or an MLflow model
(` + "`models:/NAME@ALIAS`, `runs:/RUN_ID/model`" + `, a directory). The job task
ml_recommend does the same.`,
		Example: `  sluice ml recommend models:/movielens@champion --k 10 --into movielens.top10
  sluice ml recommend models:/movielens@champion --ids "SELECT 1" --k 5
  sluice ml recommend /tmp/als-model --for items --k 20 --out-file fans.parquet`,
		Args: exactArgs(1, "a model directory or URI"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := sink.check(); err != nil {
				return usage(cmd, err)
			}
			if forWhat != "users" && forWhat != "items" {
				return usage(cmd, fmt.Errorf("--for %q: use users or items", forWhat))
			}
			if k < 1 {
				return usage(cmd, fmt.Errorf("--k %d: give the number of recommendations, at least 1", k))
			}
			reg, eng, err := a.mlRegistry()
			if err != nil {
				return err
			}
			st, err := a.loadStage(ref, args[0], reg)
			if err != nil {
				return err
			}
			als, ok := ml.Find[*recommendation.ALSModel](st)
			if !ok {
				return fmt.Errorf("%s (%s) holds no ALS model; fit one with the ALS stage (sluice ml stages ALS)", args[0], st.StageName())
			}
			opts := recommendation.RecommendOptions{K: k, ForItems: forWhat == "items"}
			if ids != "" {
				f, err := a.ws.Frame(a.ctx, ids, nil)
				if err != nil {
					return fmt.Errorf("--ids: %w", err)
				}
				if opts.IDs, err = recommendation.IDColumn(a.ctx, f, ""); err != nil {
					return fmt.Errorf("--ids: %w", err)
				}
			}
			recs, err := als.Recommend(a.ctx, opts)
			if err != nil {
				return err
			}
			return a.emitFrame(cmd, eng, recs, sink)
		},
	}
	ref.flags(c)
	c.Flags().IntVar(&k, "k", 10, "recommendations per user (or item)")
	c.Flags().StringVar(&forWhat, "for", "users", "users (items for each user) or items (users for each item)")
	c.Flags().StringVar(&ids, "ids", "", "SQL whose first column holds the users (or items) to recommend for (default: all)")
	sink.flags(c, "the recommendations", "overwrite", 30)
	return c
}

func (a *app) mlPrefixSpanCmd() *cobra.Command {
	var src mlSource
	var sink frameSink
	ps := fpm.NewPrefixSpan()
	c := &cobra.Command{
		Use:   "prefixspan (--table T | --sql Q | --file F) [--sequence-col C] [--min-support S] [--into T2 | --out-file F]",
		Short: "Find frequent sequential patterns (Spark's PrefixSpan)",
		Long: `Mine the frequent sequential patterns of a column of sequences — each an
array of item sets, each an array of strings or integers (DuckDB:
[['a','b'], ['c']]) — with PrefixSpan, as Spark's
PrefixSpan.findFrequentSequentialPatterns does: a pattern is frequent when
at least --min-support of the sequences contain it, in order. Rows are
(sequence, freq); print them, or write them into a table (--into, --mode)
or a file (--out-file). For frequent item sets and association rules, fit
the FPGrowth stage (sluice ml stages FPGrowth) and read its frames with
'sluice ml frames'.`,
		Example: `  sluice ml prefixspan --sql "SELECT [['a','b'],['c']] AS sequence UNION ALL SELECT [['a'],['c','b'],['a','b']]" --min-support 0.5
  sluice ml prefixspan --table shop.sessions --sequence-col pages --min-support 0.01 --max-pattern-length 5 --into shop.paths`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := sink.check(); err != nil {
				return usage(cmd, err)
			}
			if err := ps.P.Validate(); err != nil {
				return usage(cmd, err)
			}
			_, eng, err := a.mlRegistry()
			if err != nil {
				return err
			}
			f, err := src.frame(a.ctx, cmd, a.ws)
			if err != nil {
				return err
			}
			pats, err := ps.FindFrequentSequentialPatterns(a.ctx, f)
			if err != nil {
				return err
			}
			return a.emitFrame(cmd, eng, pats, sink)
		},
	}
	src.flags(c)
	c.Flags().StringVar(&ps.P.SequenceCol, "sequence-col", ps.P.SequenceCol, "column of sequences (arrays of item sets)")
	c.Flags().Float64Var(&ps.P.MinSupport, "min-support", ps.P.MinSupport, "minimal share of sequences containing a pattern, 0..1")
	c.Flags().IntVar(&ps.P.MaxPatternLength, "max-pattern-length", ps.P.MaxPatternLength, "maximal number of items in a pattern")
	sink.flags(c, "the patterns", "overwrite", 30)
	return c
}
