/**
 * Example values for the OpenAPI document: real-looking ids, times and names, so the reference
 * (and "Try it out") shows what Patchbay actually sends instead of Swagger's `"string"`.
 */
export const EX = {
  workspaceId: '0b7e4c2a-91d3-4f6e-8a15-3c9d2e7f4b60',
  memberId: '5d3e9b1a-2c4f-4e8a-b6d7-9f0a1c2e3b4d',
  otherMemberId: 'a41f6c83-7d2e-4b90-8e5a-1f3c7b9d2e64',
  connectionId: 'c0a8f3d2-6b1e-4c47-9a4e-2f5d8e1b7a90',
  tokenId: '7e2d4b19-3a8c-4f51-9d6e-b0c2a4f8e137',
  // Work data: the same ids as the event catalog's examples, so the reference reads as one story.
  taskId: '3f6c2a1e-8b4d-4c7e-9f12-5a6b7c8d9e0f',
  contactId: '8a2b4c6d-1e3f-4a5b-9c7d-2e4f6a8b0c1d',
  calendarEventId: 'd4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70',
  timeEntryId: '6e7f8a9b-0c1d-4e2f-a3b4-c5d6e7f8a9b0',
  correlationId: '9b1d3f5a-7c2e-4a68-b0d4-e6f8a1c3e5b7',
  createdAt: '2025-03-14T09:26:53.000Z',
  updatedAt: '2025-03-18T16:04:11.000Z',
  later: '2025-03-18T16:14:11.000Z',
  provider: 'linear',
  providerName: 'Linear',
  displayName: 'Linear (eng)',
  memberName: 'Ada Lovelace',
  email: 'ada@example.com',
  accountId: 'f3b9c1de-28a4-4e7b-9c60-5d1a2b3c4d5e',
  accountName: 'Ada Lovelace',
  /** A real keyset cursor: base64url of { t, id } (the last row's creation time and id). */
  cursor: Buffer.from(JSON.stringify({ t: '2025-03-14T09:26:53.000Z', id: '5d3e9b1a-2c4f-4e8a-b6d7-9f0a1c2e3b4d' })).toString('base64url'),
} as const;
