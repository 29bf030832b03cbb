import { defineCheck } from '../check-definition';
import { controllerConfigs, nginxConfig } from '../helm-values';
import { truthy } from '../stack-model';

export const jsonAccessLogs = defineCheck({
  id: 'json-access-logs',
  title: 'JSON access logs',
  requirement:
    'Ingress controller configs escape access-log variables as JSON (ingress-nginx log-format-escape-json, F5 log-format-escaping: json).',
  appliesTo: 'all',
  soc2: ['CC7.2'],
  iso27001: ['A.8.15', 'A.8.16'],
  rationale:
    'Log pipelines (ELK, Datadog) parse and alert on structured logs only; unescaped values can also forge log lines (CC7.2 monitoring; A.8.15 logging; A.8.16 monitoring activities).',
  inspect(model, report) {
    const configs = controllerConfigs(model);
    for (const config of configs) {
      const nginx = nginxConfig(config);
      if (config.flavour === 'ingress-nginx' && !truthy(nginx['log-format-escape-json'])) {
        report(
          config.resource,
          'controller.config has no log-format-escape-json: "true". Set it, with a JSON log-format-upstream, so the log pipeline can parse every line.',
        );
      }
      if (config.flavour === 'f5-nginx-ingress' && nginx['log-format-escaping'] !== 'json') {
        report(
          config.resource,
          'controller.config.entries has no log-format-escaping: "json". Set it, with a JSON log-format, so the log pipeline can parse every line.',
        );
      }
    }
    return configs.length > 0;
  },
});
