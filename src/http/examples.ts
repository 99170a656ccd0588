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
