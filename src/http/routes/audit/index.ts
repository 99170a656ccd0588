import listAuditLog from './list-audit-log.ts';

export default [listAuditLog];
