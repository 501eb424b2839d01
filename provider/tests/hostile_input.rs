//! Hostile input to every argument never panics: it is a clear validation error or a
//! refusal with an AWS code, through the same validate/plan/create path Terraform drives.

use std::collections::BTreeMap;

use amisim_provider::provider::{AmisimProvider, Config};
use amisim_provider::resources::{image, image_copy, instance, launch_permission};
use amisim_provider::values::{Str, StrMap, Whole};
use proptest::prelude::*;
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{Diagnostics, Provider, Resource};

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "\\PC{0,300}",
        "[\\x00-\\x1f\\x7f]{1,12}",
        Just("'; DROP TABLE objects; --".to_string()),
        Just("x".repeat(100_000)),
        Just("ami-0123456789abcdef0".to_string()),
        Just("arn:aws:organizations::999999999999:ou/o-abc123/ou-ab12-cdef3456".to_string()),
        Just("111111111111".to_string()),
        Just("alias/aws/ebs".to_string()),
        Just("../../../../etc/passwd".to_string()),
        Just("ünïcødé 🚀 名前".to_string()),
    ]
}

fn s(v: &str) -> Str {
    Value::Value(v.to_string())
}

fn tags(m: BTreeMap<String, String>) -> StrMap {
    Value::Value(m.into_iter().map(|(k, v)| (k, Value::Value(v))).collect())
}

struct Rig {
    rt: tokio::runtime::Runtime,
    provider: AmisimProvider,
    _dir: tempfile::TempDir,
}

fn rig() -> Rig {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let provider = AmisimProvider::new();
    let config = Config {
        account_id: s("111111111111"),
        region: s("us-east-1"),
        store: s(dir.path().join("cloud.db").to_str().unwrap()),
        ..Default::default()
    };
    let mut diags = Diagnostics::default();
    rt.block_on(provider.configure(&mut diags, "1.11.0".into(), config))
        .expect("configured");
    Rig {
        rt,
        provider,
        _dir: dir,
    }
}

/// Validates, plans and creates: every step either succeeds or reports errors, never panics.
macro_rules! drive {
    ($rig:expr, $resource:expr, $state:expr) => {{
        let rig: &Rig = $rig;
        let resource = $resource;
        let state = $state;
        rig.rt.block_on(async {
            let mut diags = Diagnostics::default();
            resource.validate(&mut diags, state.clone()).await;
            if !diags.errors.is_empty() {
                for e in &diags.errors {
                    assert!(!e.summary.is_empty() && !e.detail.is_empty());
                }
                return;
            }
            let Some((planned, private)) = resource
                .plan_create(
                    &mut diags,
                    state.clone(),
                    state.clone(),
                    ValueEmpty::default(),
                )
                .await
            else {
                assert!(!diags.errors.is_empty());
                return;
            };
            let created = resource
                .create(&mut diags, planned, state, private, ValueEmpty::default())
                .await;
            if created.is_none() {
                assert!(!diags.errors.is_empty(), "a failed create says why");
                for e in &diags.errors {
                    assert!(
                        e.summary.contains(": "),
                        "the summary carries an AWS code: {}",
                        e.summary
                    );
                }
            }
        })
    }};
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn image_arguments(
        name in hostile(), description in hostile(), architecture in hostile(),
        platform in hostile(), kms in hostile(), encrypted in any::<bool>(),
        size in prop_oneof![
            any::<i64>().prop_map(Whole::Int),
            any::<f64>().prop_map(|f| Whole::NotInt(f.to_string())),
            "[0-9]{19,40}".prop_map(Whole::NotInt),
        ],
        products in prop::collection::vec(hostile(), 0..4),
        t in prop::collection::btree_map(hostile(), hostile(), 0..60),
    ) {
        let rig = rig();
        let res = image::ImageResource::new(rig.provider.shared());
        let state = image::State {
            name: s(&name),
            description: s(&description),
            architecture: s(&architecture),
            platform: s(&platform),
            root_volume_size_gb: Value::Value(size),
            encrypted: Value::Value(encrypted),
            kms_key_id: if encrypted { s(&kms) } else { Value::Null },
            billing_products: Value::Value(products.iter().map(|p| s(p)).collect()),
            tags: tags(t),
            ..Default::default()
        };
        drive!(&rig, &res, state);
        // The simple, valid case still works on the same store afterwards.
        drive!(&rig, &res, image::State { name: s("still-works"), ..Default::default() });
    }

    #[test]
    fn copy_arguments(source in hostile(), region in hostile(), name in hostile(), kms in hostile()) {
        let rig = rig();
        let res = image_copy::ImageCopyResource::new(rig.provider.shared());
        drive!(&rig, &res, image_copy::State {
            source_ami_id: s(&source),
            source_region: s(&region),
            name: s(&name),
            encrypted: Value::Value(true),
            kms_key_id: s(&kms),
            ..Default::default()
        });
    }

    #[test]
    fn launch_permission_arguments(image in hostile(), account in hostile(), org in hostile()) {
        let rig = rig();
        let res = launch_permission::LaunchPermissionResource::new(rig.provider.shared());
        drive!(&rig, &res, launch_permission::State { image_id: s(&image), account_id: s(&account), ..Default::default() });
        drive!(&rig, &res, launch_permission::State { image_id: s(&image), organizational_unit_arn: s(&org), ..Default::default() });
    }

    #[test]
    fn instance_arguments(ami in hostile(), itype in hostile(), user_data in hostile(), st in hostile()) {
        let rig = rig();
        let res = instance::InstanceResource::new(rig.provider.shared());
        drive!(&rig, &res, instance::State {
            ami: s(&ami),
            instance_type: s(&itype),
            user_data: s(&user_data),
            instance_state: s(&st),
            ..Default::default()
        });
    }
}
