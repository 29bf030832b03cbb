import type { LoadBalancerVisibility } from './profile-common';

// Each cloud's managed Gateway API implementation: the GatewayClass a Gateway names, the
// networks its proxies reach the pods from (oauth2-proxy's NetworkPolicy must admit them:
// they are outside the cluster, no pod selector names them), and what to set up. Sources,
// read 2026-12:
//
// - GKE: GatewayClasses `gke-l7-global-external-managed` (global external Application Load
//   Balancer) and `gke-l7-rilb` (regional internal), installed by the GKE Gateway controller
//   (https://cloud.google.com/kubernetes-engine/docs/how-to/gatewayclass-capabilities). The
//   global external ALB reaches container-native (NEG) backends from the health-check and
//   GFE ranges 35.191.0.0/16 and 130.211.0.0/22 (IPv6 2600:2d00:1:b029::/64,
//   2600:2d00:1:1::/64); the internal ones from the same health-check ranges and the VPC's
//   proxy-only subnet (https://cloud.google.com/load-balancing/docs/firewall-rules).
// - AKS: Application Gateway for Containers, GatewayClass `azure-alb-external`, with
//   cert-manager and Let's Encrypt through the Gateway API (certificateRefs to Secrets, the
//   HTTP-01 challenge as an HTTPRoute); the Gateway names its AGC with the
//   `alb.networking.azure.io/alb-id` (bring your own) or `alb-namespace`/`alb-name` (ALB
//   managed) annotations (https://learn.microsoft.com/azure/application-gateway/for-containers/how-to-cert-manager-lets-encrypt-gateway-api).
//   Its proxies reach the pods from the AGC association subnet, which is yours.
// - EKS: the AWS Load Balancer Controller (Gateway API GA since v3.0.0) runs GatewayClasses
//   with `controllerName: gateway.k8s.aws/alb`; the class itself is yours to create, its
//   documentation names it `aws-alb-gateway-class`. Its ALB is internal unless a
//   LoadBalancerConfiguration sets `scheme: internet-facing`, and it takes certificates from
//   ACM (by the listener's hostname, or the LoadBalancerConfiguration), not from
//   certificateRefs; it supports neither header modifier filter
//   (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/gateway/l7gateway/).
//   Inside the VPC, the AWS Gateway API Controller for VPC Lattice runs the class
//   `amazon-vpc-lattice` (`controllerName: application-networking.k8s.aws/gateway-api-controller`),
//   whose traffic comes from the managed prefix list `com.amazonaws.<region>.vpc-lattice`
//   (https://docs.aws.amazon.com/vpc-lattice/latest/ug/security-groups.html).

/** A cloud's managed Gateway API implementation, for {@link CloudProfile.gatewayApi}. */
export interface GatewayApiProfile {
  /** The GatewayClass the portal's Gateway names. */
  readonly gatewayClassName: string;
  /**
   * The networks the implementation's proxies reach the pods from, where the cloud
   * publishes them; oauth2-proxy's NetworkPolicy admits them. Networks that are specific to
   * your VPC (a proxy-only or association subnet) are not here: see `notes`.
   */
  readonly dataPlaneSourceRanges: readonly string[];
  /** What has to be set up on the cloud side, one sentence each. */
  readonly notes: readonly string[];
}

const GOOGLE_LOAD_BALANCER_RANGES = [
  '35.191.0.0/16',
  '130.211.0.0/22',
  '2600:2d00:1:b029::/64',
  '2600:2d00:1:1::/64',
];

/** @internal The managed Gateway API implementation of a cloud, or undefined where none is known. */
export function gatewayApiProfile(
  cloud: 'eks' | 'gke' | 'aks' | 'generic',
  visibility: LoadBalancerVisibility,
): GatewayApiProfile | undefined {
  switch (cloud) {
    case 'gke':
      return visibility === 'public'
        ? {
            gatewayClassName: 'gke-l7-global-external-managed',
            dataPlaneSourceRanges: GOOGLE_LOAD_BALANCER_RANGES,
            notes: [
              'GKE: the cluster needs the Gateway API enabled (gcloud container clusters update --gateway-api=standard), which installs the GatewayClasses and CRDs.',
            ],
          }
        : {
            gatewayClassName: 'gke-l7-rilb',
            dataPlaneSourceRanges: GOOGLE_LOAD_BALANCER_RANGES,
            notes: [
              'GKE: the cluster needs the Gateway API enabled (gcloud container clusters update --gateway-api=standard).',
              'GKE: the internal Application Load Balancer needs a proxy-only subnet in the region; add its range to the data plane source ranges, it is where the proxies connect from.',
            ],
          };
    case 'aks':
      return visibility === 'public'
        ? {
            gatewayClassName: 'azure-alb-external',
            dataPlaneSourceRanges: [],
            notes: [
              'AKS: install the ALB Controller of Application Gateway for Containers, and name the AGC on the Gateway with the annotation alb.networking.azure.io/alb-id (or alb-namespace and alb-name for an ALB-managed one).',
              "AKS: the AGC proxies connect from its association subnet: add that subnet's range to the data plane source ranges.",
            ],
          }
        : undefined;
    case 'eks':
      return visibility === 'public'
        ? {
            gatewayClassName: 'aws-alb-gateway-class',
            dataPlaneSourceRanges: [],
            notes: [
              "EKS: create the GatewayClass aws-alb-gateway-class with controllerName gateway.k8s.aws/alb (AWS Load Balancer Controller v3+, with the Gateway API CRDs installed) and reference a LoadBalancerConfiguration with scheme internet-facing (the default is internal) from the Gateway's infrastructure.parametersRef.",
              'EKS: the ALB takes its certificate from ACM (discovered by the listener hostname), not from the cert-manager Secret: request an ACM certificate for the host.',
              "EKS: the ALB connects to the pods from its subnets: add their ranges (or the VPC's) to the data plane source ranges.",
            ],
          }
        : {
            gatewayClassName: 'amazon-vpc-lattice',
            dataPlaneSourceRanges: [],
            notes: [
              'EKS: install the AWS Gateway API Controller for VPC Lattice and create the GatewayClass amazon-vpc-lattice (controllerName application-networking.k8s.aws/gateway-api-controller); HTTPS listeners take ACM certificates.',
              'EKS: VPC Lattice connects from the managed prefix list com.amazonaws.<region>.vpc-lattice: add its ranges to the data plane source ranges.',
            ],
          };
    case 'generic':
      return undefined;
  }
}
