import createSyncRule from './create-sync-rule.ts';
import deleteSyncRule from './delete-sync-rule.ts';
import getSyncRule from './get-sync-rule.ts';
import getSyncRun from './get-sync-run.ts';
import listSyncRules from './list-sync-rules.ts';
import listSyncRuns from './list-sync-runs.ts';
import runSyncRule from './run-sync-rule.ts';
import previewSyncRule from './preview-sync-rule.ts';
import suggestMapping from './suggest-mapping.ts';
import updateSyncRule from './update-sync-rule.ts';

// suggest-mapping before :ruleId, which would otherwise take the word as an id.
export default [listSyncRules, createSyncRule, suggestMapping, getSyncRule, updateSyncRule, deleteSyncRule, runSyncRule, previewSyncRule, listSyncRuns, getSyncRun];
