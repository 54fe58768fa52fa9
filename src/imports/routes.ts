import {
  DataImport, DryRunReport, ImportCreated, ImportDetailQuery, ImportForm, ImportParams, ImportQuery,
} from '../../schemas/imports.js';
import { problemResponse as problem, scopedEndpoint, uploadEndpoint, type Endpoint } from '../http/endpoint.js';
import { getImport, stageImport } from './service.js';
import { receiveImportUpload } from './upload.js';

const COMMON = {
  400: problem('Invalid input, an unreadable file, or columns the import does not know'),
  401: problem('Not signed in'),
  403: problem('Not allowed (or a platform token)'),
};

export const importEndpoints: Endpoint[] = [
  // The caller and the query are checked before the upload is read, and the file is read before the transaction
  // opens, so a slow upload holds no database connection.
  uploadEndpoint({
    method: 'post', path: '/imports', tag: 'imports', access: 'tenant', query: ImportQuery,
    multipart: { fields: ImportForm, file: { name: 'file', description: 'The CSV or XLSX file (columns: see the README)',
      mediaTypes: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] } },
    summary: 'Import customers or policies from a CSV or XLSX file (multipart/form-data: file, kind, agent_id); '
      + '?dry_run=true only reports. See the README for the columns',
    responses: {
      202: { description: 'Staged and queued; follow it with GET /imports/{import_id}', schema: ImportCreated },
      200: { description: 'The dry run report: nothing was written to the book', schema: DryRunReport },
      ...COMMON,
      404: problem('agent_id names an agent you cannot see'),
      413: problem('The file is larger than 50 MB'),
      422: problem("An inactive agent, or the upload would pass the tenant's storage limit"),
    },
  }, receiveImportUpload, async ({ tx, actor, query, body: upload }) => {
    const { record, report } = await stageImport(tx, actor, {
      fileName: upload.fileName, contentType: upload.contentType, content: upload.content,
      kind: upload.form.kind, agentId: upload.form.agent_id, dryRun: query.dry_run,
    });
    return report ? { status: 200, body: report } : { status: 202, body: { import_id: record.import_id } };
  }),

  scopedEndpoint({
    method: 'get', path: '/imports/:import_id', tag: 'imports', access: 'tenant', params: ImportParams, query: ImportDetailQuery,
    summary: 'An import: status, progress, counts, and its rejected rows (a page at a time, with their line numbers and reasons)',
    responses: { 200: { description: 'The import', schema: DataImport }, ...COMMON, 404: problem('No such import, or not one you can see') },
  }, async ({ tx, actor, params, query }) => ({ body: await getImport(tx, actor, params.import_id, query) })),
];
