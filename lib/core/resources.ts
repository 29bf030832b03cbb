// Public value types shared by several constructs; no zod here (it stays internal).

/** CPU and memory of a container, as Kubernetes quantities ("250m", "512Mi"). */
export interface ContainerResources {
  /** @default - the construct's defaults */
  readonly requests?: { readonly cpu?: string; readonly memory?: string };
  /** @default - the construct's defaults */
  readonly limits?: { readonly cpu?: string; readonly memory?: string };
}
