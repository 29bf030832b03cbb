import { isSnippetAnnotation } from '../../ingress/annotations';
import { defineCheck } from '../check-definition';
import { controllerConfigs, nginxConfig } from '../helm-values';
import { metadataOf, one, stringMap, truthy } from '../stack-model';

export const noSnippetAnnotations = defineCheck({
  id: 'no-snippet-annotations',
  title: 'No configuration snippets',
  requirement:
    'No *-snippet(s) annotation, no controller config allowing snippets, no authSnippets in F5 policies.',
  appliesTo: 'all',
  soc2: ['CC7.1', 'CC8.1'],
  iso27001: ['A.8.8', 'A.8.9'],
  rationale:
    'Snippets inject raw nginx configuration and were the vector of the 2025 IngressNightmare CVEs (CC7.1 configuration changes introducing vulnerabilities; CC8.1 controlled change; A.8.8 technical vulnerabilities; A.8.9 configuration management).',
  inspect(model, report) {
    for (const resource of model.resources) {
      for (const key of Object.keys(stringMap(metadataOf(resource.attributes).annotations))) {
        if (isSnippetAnnotation(key)) {
          report(
            resource,
            `annotation "${key}" injects raw nginx configuration. Remove it and use typed settings; snippets are off by default since IngressNightmare (2025).`,
          );
        }
      }
      if (resource.type === 'kubernetes_manifest') {
        const manifest = one(resource.attributes.manifest);
        const externalAuth = one(one(manifest.spec).externalAuth);
        if (
          manifest.kind === 'Policy' &&
          typeof externalAuth.authSnippets === 'string' &&
          externalAuth.authSnippets.trim() !== ''
        ) {
          report(
            resource,
            "spec.externalAuth.authSnippets injects raw nginx configuration. Remove it; it also needs the controller's -enable-snippets.",
          );
        }
      }
    }
    for (const config of controllerConfigs(model)) {
      const controller = one(config.values.controller);
      if (config.flavour === 'ingress-nginx') {
        if (
          truthy(nginxConfig(config)['allow-snippet-annotations']) ||
          truthy(controller.allowSnippetAnnotations)
        ) {
          report(
            config.resource,
            'the controller allows snippet annotations. Set controller.config.allow-snippet-annotations: "false" and leave annotations-risk-level at its default.',
          );
        }
      } else if (truthy(controller.enableSnippets)) {
        report(config.resource, 'controller.enableSnippets is true. Set it to false.');
      }
    }
    return true;
  },
});
