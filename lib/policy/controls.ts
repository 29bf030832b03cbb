// The SOC 2 criteria and ISO/IEC 27001:2022 Annex A controls the Guardrails checks map
// to, with their titles, for the report. Every control a check names has a title here,
// and every title here is used by a check (test/policy checks both ways).

/** Titles of the SOC 2 criteria used by the checks. */
export const SOC2_CRITERIA: Readonly<Record<string, string>> = {
  'CC6.1': 'Logical access security software, infrastructure and architectures protect information assets',
  'CC6.3':
    'Access to protected information assets is authorized, changed or removed by role, with least privilege and segregation of duties',
  'CC6.6': 'Logical access security measures against threats from sources outside the system boundaries',
  'CC6.7': 'Transmission of information is restricted to authorized parties and protected in transit',
  'CC6.8': 'Controls prevent or detect unauthorized or malicious software',
  'CC7.1':
    'Detection and monitoring procedures identify configuration changes that introduce vulnerabilities',
  'CC7.2': 'System components are monitored for anomalies indicative of malicious acts, disasters and errors',
  'CC8.1':
    'Changes to infrastructure and software are authorized, tested, approved and implemented in a controlled way',
  'A1.1': 'Current processing capacity and use of system components are maintained, monitored and evaluated',
  'A1.2': 'Environmental protections, software, backup and recovery infrastructure support availability',
};

/** Titles of the ISO/IEC 27001:2022 Annex A controls used by the checks. */
export const ISO27001_CONTROLS: Readonly<Record<string, string>> = {
  'A.5.14': 'Information transfer',
  'A.5.15': 'Access control',
  'A.5.17': 'Authentication information',
  'A.8.2': 'Privileged access rights',
  'A.8.3': 'Information access restriction',
  'A.8.6': 'Capacity management',
  'A.8.8': 'Management of technical vulnerabilities',
  'A.8.9': 'Configuration management',
  'A.8.12': 'Data leakage prevention',
  'A.8.14': 'Redundancy of information processing facilities',
  'A.8.15': 'Logging',
  'A.8.16': 'Monitoring activities',
  'A.8.19': 'Installation of software on operational systems',
  'A.8.20': 'Networks security',
  'A.8.22': 'Segregation of networks',
  'A.8.24': 'Use of cryptography',
  'A.8.26': 'Application security requirements',
  'A.8.32': 'Change management',
};
