package cli

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/apierr"
	"github.com/sluice-dev/sluice/mlflowclient"
	"github.com/sluice-dev/sluice/registry"
	"github.com/sluice-dev/sluice/tracking"
)

// modelsRegistryCmds returns the registry subcommands of 'sluice models':
// list, show, register, set-alias, delete-alias, transition, delete. They
// speak the MLflow API to the workspace in process, or to --tracking-uri.
func (a *app) modelsRegistryCmds() []*cobra.Command {
	conn := &mlflowConn{a: a}
	cmds := []*cobra.Command{modelsListCmd(conn), modelsShowCmd(conn), modelsRegisterCmd(conn),
		modelsSetAliasCmd(conn), modelsDeleteAliasCmd(conn), modelsTransitionCmd(conn), modelsDeleteCmd(conn)}
	// 'sluice models' is shared with the serving commands, so the flag goes
	// on each registry command rather than on the group.
	for _, c := range cmds {
		c.Flags().StringVar(&conn.uri, "tracking-uri", "", "tracking server to use, e.g. http://127.0.0.1:8080 (default $"+EnvTrackingURI+", else the workspace, in-process)")
	}
	return cmds
}

func modelsListCmd(conn *mlflowConn) *cobra.Command {
	var output, filter string
	var orderBy []string
	var limit int
	c := &cobra.Command{
		Use:   "list",
		Short: "List registered models with their latest version and aliases",
		Example: `  sluice models list
  sluice models list --filter "name LIKE 'churn%'" --output json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			cl, err := conn.Client()
			if err != nil {
				return err
			}
			req := registry.SearchRegisteredModels{Filter: filter, OrderBy: orderBy, MaxResults: 1000}
			models, err := mlflowclient.Collect("", limit, func(token string) ([]registry.RegisteredModel, string, error) {
				req.PageToken = token
				resp, err := cl.SearchRegisteredModels(conn.ctx(), &req)
				if err != nil {
					return nil, "", err
				}
				return resp.RegisteredModels, resp.NextPageToken, nil
			})
			if err != nil {
				return err
			}
			if output == "json" {
				return printJSON(conn.a.stdout, models)
			}
			g := &grid{cols: []string{"name", "latest_version", "aliases", "updated", "description"}}
			for _, m := range models {
				g.rows = append(g.rows, []any{m.Name, latestVersion(m.LatestVersions), fmtAliases(m.Aliases), fmtMillis(m.LastUpdatedTimestamp), m.Description})
			}
			return printGrid(conn.a.stdout, output, g)
		},
	}
	c.Flags().StringVar(&filter, "filter", "", "MLflow search filter, e.g. \"name LIKE 'churn%'\"")
	c.Flags().StringArrayVar(&orderBy, "order-by", nil, "order, e.g. \"name ASC\" (repeatable)")
	c.Flags().IntVar(&limit, "max", 0, "list at most this many (default all)")
	addOutputFlag(c, &output)
	return c
}

// latestVersion returns the highest version number among vs, or "".
func latestVersion(vs []registry.ModelVersion) string {
	best, bestN := "", int64(-1)
	for _, v := range vs {
		if n, err := strconv.ParseInt(v.Version, 10, 64); err == nil && n > bestN {
			best, bestN = v.Version, n
		}
	}
	return best
}

func fmtAliases(as []registry.RegisteredModelAlias) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.Alias + "=" + a.Version
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// modelShow is models show's JSON output.
type modelShow struct {
	RegisteredModel *registry.RegisteredModel `json:"registered_model"`
	ModelVersions   []registry.ModelVersion   `json:"model_versions"`
}

func modelsShowCmd(conn *mlflowConn) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a registered model and its versions",
		Example: `  sluice models show churn
  sluice models show churn --output json`,
		Args: exactArgs(1, "a registered model name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			cl, err := conn.Client()
			if err != nil {
				return err
			}
			rm, err := cl.GetRegisteredModel(conn.ctx(), &registry.GetRegisteredModel{Name: args[0]})
			if err != nil {
				return err
			}
			versions, err := modelVersions(conn, cl, args[0])
			if err != nil {
				return err
			}
			if output == "json" {
				return printJSON(conn.a.stdout, modelShow{RegisteredModel: rm.RegisteredModel, ModelVersions: versions})
			}
			m := rm.RegisteredModel
			if m == nil {
				return apierr.NotFound("registered model %q not found", args[0])
			}
			byVersion := map[string][]string{}
			for _, al := range m.Aliases {
				byVersion[al.Version] = append(byVersion[al.Version], al.Alias)
			}
			if output == "table" {
				kv := [][2]string{{"name", m.Name}, {"description", m.Description}, {"created", fmtMillis(m.CreationTimestamp)},
					{"updated", fmtMillis(m.LastUpdatedTimestamp)}, {"aliases", fmtAliases(m.Aliases)}}
				for _, t := range m.Tags {
					kv = append(kv, [2]string{"tags." + t.Key, t.Value})
				}
				printKV(conn.a.stdout, output, kv)
				fmt.Fprintln(conn.a.stdout)
			}
			g := &grid{cols: []string{"version", "aliases", "stage", "status", "run_id", "created", "source"}}
			for _, v := range versions {
				al := byVersion[v.Version]
				if len(v.Aliases) > 0 {
					al = v.Aliases
				}
				sort.Strings(al)
				g.rows = append(g.rows, []any{v.Version, strings.Join(al, ", "), v.CurrentStage, string(v.Status), v.RunID, fmtMillis(v.CreationTimestamp), v.Source})
			}
			return printGrid(conn.a.stdout, output, g)
		},
	}
	addOutputFlag(c, &output)
	return c
}

// modelVersions returns every version of model name, newest first.
func modelVersions(conn *mlflowConn, cl *mlflowclient.Client, name string) ([]registry.ModelVersion, error) {
	req := registry.SearchModelVersions{Filter: "name = " + quoteFilter(name), MaxResults: 10000}
	out, err := mlflowclient.Collect("", 0, func(token string) ([]registry.ModelVersion, string, error) {
		req.PageToken = token
		resp, err := cl.SearchModelVersions(conn.ctx(), &req)
		if err != nil {
			return nil, "", err
		}
		return resp.ModelVersions, resp.NextPageToken, nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := strconv.ParseInt(out[i].Version, 10, 64)
		b, _ := strconv.ParseInt(out[j].Version, 10, 64)
		return a > b
	})
	return out, nil
}

// quoteFilter quotes s as a string literal of MLflow's filter grammar.
func quoteFilter(s string) string {
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

func modelsRegisterCmd(conn *mlflowConn) *cobra.Command {
	var output, name, description string
	var alias string
	c := &cobra.Command{
		Use:   "register SOURCE --name NAME",
		Short: "Register a logged model as a new version of NAME",
		Long: `Register the model at SOURCE — runs:/RUN_ID/PATH (a model logged by a run,
e.g. by 'ml fit --experiment') or an mlflow-artifacts:/ URI — as the next
version of registered model NAME, creating NAME if needed. --alias also
points an alias (e.g. champion) at the new version.`,
		Example: `  sluice models register runs:/1f0c3a5e9b7d4c21a0e8f6b2d4c6a8e0/model --name churn
  sluice models register runs:/1f0c3a5e9b7d4c21a0e8f6b2d4c6a8e0/model --name churn --alias champion`,
		Args: exactArgs(1, "a model source URI"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			if name == "" {
				return usage(cmd, fmt.Errorf("--name is required"))
			}
			cl, err := conn.Client()
			if err != nil {
				return err
			}
			req := registry.CreateModelVersion{Name: name, Source: args[0], Description: description}
			if rest, ok := strings.CutPrefix(args[0], "runs:/"); ok {
				runID, p, _ := strings.Cut(strings.TrimLeft(rest, "/"), "/")
				if runID == "" {
					return usage(cmd, fmt.Errorf("source %q: want runs:/RUN_ID/PATH", args[0]))
				}
				r, err := cl.GetRun(conn.ctx(), &tracking.GetRun{RunID: runID})
				if err != nil {
					return err
				}
				req.RunID = runID
				req.Source = strings.TrimRight(r.Run.Info.ArtifactURI, "/")
				if p = strings.Trim(p, "/"); p != "" {
					req.Source += "/" + p
				}
			}
			if _, err := cl.CreateRegisteredModel(conn.ctx(), &registry.CreateRegisteredModel{Name: name}); err != nil && apierr.CodeOf(err) != apierr.ResourceAlreadyExists {
				return err
			}
			resp, err := cl.CreateModelVersion(conn.ctx(), &req)
			if err != nil {
				return err
			}
			v := resp.ModelVersion
			if alias != "" {
				if _, err := cl.SetRegisteredModelAlias(conn.ctx(), &registry.SetRegisteredModelAlias{Name: name, Alias: alias, Version: v.Version}); err != nil {
					return err
				}
				v.Aliases = append(v.Aliases, alias)
			}
			if output == "json" {
				return printJSON(conn.a.stdout, v)
			}
			fmt.Fprintf(conn.a.stdout, "registered %s version %s from %s\n", name, v.Version, v.Source)
			if alias != "" {
				fmt.Fprintf(conn.a.stdout, "alias %s -> version %s (models:/%s@%s)\n", alias, v.Version, name, alias)
			}
			return nil
		},
	}
	c.Flags().StringVar(&name, "name", "", "registered model name (created if missing)")
	c.Flags().StringVar(&description, "description", "", "description of the new version")
	c.Flags().StringVar(&alias, "alias", "", "also point this alias at the new version")
	addOutputFlag(c, &output)
	return c
}

func modelsSetAliasCmd(conn *mlflowConn) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "set-alias NAME ALIAS VERSION",
		Short: "Point an alias of a registered model at a version",
		Long: `Point ALIAS at VERSION of registered model NAME (moving it if it pointed
elsewhere). models:/NAME@ALIAS then resolves to that version, and a model
server serving the alias hot-swaps to it.`,
		Example: `  sluice models set-alias churn champion 3
  sluice models set-alias churn challenger 4`,
		Args: exactArgs(3, "NAME ALIAS VERSION"),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := newResults(cmd, conn, output, true)
			if err != nil {
				return err
			}
			cl, err := conn.Client()
			if err != nil {
				return err
			}
			if _, err := cl.SetRegisteredModelAlias(conn.ctx(), &registry.SetRegisteredModelAlias{Name: args[0], Alias: args[1], Version: args[2]}); err != nil {
				return err
			}
			res.add(map[string]any{"name": args[0], "alias": args[1], "version": args[2], "model_uri": "models:/" + args[0] + "@" + args[1]},
				"alias %s of %s -> version %s (models:/%s@%s)\n", args[1], args[0], args[2], args[0], args[1])
			return res.done(nil)
		},
	}
	addOutputFlag(c, &output)
	return c
}

func modelsDeleteAliasCmd(conn *mlflowConn) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:     "delete-alias NAME ALIAS",
		Short:   "Remove an alias of a registered model",
		Example: `  sluice models delete-alias churn challenger`,
		Args:    exactArgs(2, "NAME ALIAS"),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := newResults(cmd, conn, output, true)
			if err != nil {
				return err
			}
			cl, err := conn.Client()
			if err != nil {
				return err
			}
			if _, err := cl.DeleteRegisteredModelAlias(conn.ctx(), &registry.DeleteRegisteredModelAlias{Name: args[0], Alias: args[1]}); err != nil {
				return err
			}
			res.add(map[string]any{"name": args[0], "alias": args[1], "deleted": true}, "deleted alias %s of %s\n", args[1], args[0])
			return res.done(nil)
		},
	}
	addOutputFlag(c, &output)
	return c
}

func modelsTransitionCmd(conn *mlflowConn) *cobra.Command {
	var archive bool
	var output string
	c := &cobra.Command{
		Use:   "transition NAME VERSION STAGE",
		Short: "Move a model version to a stage (None, Staging, Production, Archived)",
		Long: `Move VERSION of registered model NAME to STAGE, MLflow's older way of
promoting models (aliases are the newer one). --archive-existing moves
the versions already in STAGE to Archived.`,
		Example: `  sluice models transition churn 3 Production --archive-existing
  sluice models transition churn 2 Archived`,
		Args: exactArgs(3, "NAME VERSION STAGE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return usage(cmd, err)
			}
			cl, err := conn.Client()
			if err != nil {
				return err
			}
			resp, err := cl.TransitionModelVersionStage(conn.ctx(), &registry.TransitionModelVersionStage{
				Name: args[0], Version: args[1], Stage: args[2], ArchiveExistingVersions: archive})
			if err != nil {
				return err
			}
			if output == "json" {
				return printJSON(conn.a.stdout, resp.ModelVersion)
			}
			stage := args[2]
			if resp.ModelVersion != nil {
				stage = resp.ModelVersion.CurrentStage
			}
			fmt.Fprintf(conn.a.stdout, "%s version %s is now in stage %s\n", args[0], args[1], stage)
			return nil
		},
	}
	c.Flags().BoolVar(&archive, "archive-existing", false, "archive the versions currently in STAGE")
	addOutputFlag(c, &output)
	return c
}

func modelsDeleteCmd(conn *mlflowConn) *cobra.Command {
	var version, output string
	c := &cobra.Command{
		Use:   "delete NAME [--version V]",
		Short: "Delete a registered model, or one of its versions",
		Long: `Delete registered model NAME with all its versions and aliases, or with
--version only that version (its aliases go with it). This cannot be
undone; the runs and their artifacts stay.`,
		Example: `  sluice models delete churn --version 2
  sluice models delete churn`,
		Args: exactArgs(1, "a registered model name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := newResults(cmd, conn, output, true)
			if err != nil {
				return err
			}
			cl, err := conn.Client()
			if err != nil {
				return err
			}
			if version != "" {
				if _, err := cl.DeleteModelVersion(conn.ctx(), &registry.DeleteModelVersion{Name: args[0], Version: version}); err != nil {
					return err
				}
				res.add(map[string]any{"name": args[0], "version": version, "deleted": true}, "deleted %s version %s\n", args[0], version)
				return res.done(nil)
			}
			if _, err := cl.DeleteRegisteredModel(conn.ctx(), &registry.DeleteRegisteredModel{Name: args[0]}); err != nil {
				return err
			}
			res.add(map[string]any{"name": args[0], "deleted": true}, "deleted registered model %s\n", args[0])
			return res.done(nil)
		},
	}
	c.Flags().StringVar(&version, "version", "", "delete only this version")
	addOutputFlag(c, &output)
	return c
}
