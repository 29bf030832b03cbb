// oidc-provider ships no type declarations; the harness uses a small, documented part of it.
declare module 'oidc-provider';
