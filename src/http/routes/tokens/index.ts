import createToken from './create-token.ts';
import listTokens from './list-tokens.ts';
import revokeToken from './revoke-token.ts';

export default [listTokens, createToken, revokeToken];
