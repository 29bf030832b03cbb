import { AzurermBackend, GcsBackend, LocalBackend, S3Backend, TerraformStack } from 'cdktf';

import { BackendData } from './environment';

/**
 * Gives a stack the state backend of its environment. Each stack gets its own state
 * object (`<prefix>/<stack>.tfstate`), so platform and portal can be planned apart.
 */
export function applyBackend(stack: TerraformStack, backend: BackendData): void {
  const name = stack.node.id;
  switch (backend.type) {
    case 'local':
      new LocalBackend(stack, { path: `${backend.path ?? 'terraform-state'}/${name}.tfstate` });
      return;
    case 's3':
      new S3Backend(stack, {
        bucket: backend.bucket,
        region: backend.region,
        key: `${backend.keyPrefix ?? 'backstage'}/${name}.tfstate`,
        encrypt: true,
        ...(backend.dynamodbTable ? { dynamodbTable: backend.dynamodbTable } : {}),
      });
      return;
    case 'gcs':
      new GcsBackend(stack, { bucket: backend.bucket, prefix: `${backend.prefix ?? 'backstage'}/${name}` });
      return;
    case 'azurerm':
      new AzurermBackend(stack, {
        resourceGroupName: backend.resourceGroupName,
        storageAccountName: backend.storageAccountName,
        containerName: backend.containerName,
        key: `${backend.keyPrefix ?? 'backstage'}/${name}.tfstate`,
      });
      return;
  }
}
