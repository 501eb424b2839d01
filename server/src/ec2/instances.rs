//! EC2 instances over the Query protocol: RunInstances, DescribeInstances,
//! and Start/Stop/TerminateInstances, over the simulator's instance calls.

use amisim_simulator::{
    DescribeInstances, Instance, InstanceState, RunInstance, StartInstance, StopInstance,
    TerminateInstance,
};
use base64::Engine;

use super::Action;
use crate::fault::Fault;
use crate::xml::Xml;

/// EC2's code for an instance state.
fn state_code(state: &str) -> &'static str {
    match state {
        "pending" => "0",
        "running" => "16",
        "shutting-down" => "32",
        "terminated" => "48",
        "stopping" => "64",
        _ => "80",
    }
}

fn state(x: &mut Xml, element: &str, name: &str) {
    x.open(element)
        .text("code", state_code(name))
        .text("name", name)
        .close(element);
}

impl Action<'_> {
    pub(super) fn run_instances(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let image_id = p.required("ImageId")?.to_string();
        let instance_type = p.get("InstanceType").unwrap_or("m1.small").to_string();
        let min = p.int("MinCount")?.unwrap_or(1);
        let max = p.int("MaxCount")?.unwrap_or(min);
        if !(1..=20).contains(&min) || max < min || max > 20 {
            return Err(Fault::bad(
                "InvalidParameterValue",
                format!("MinCount {min} and MaxCount {max} must be from 1 to 20, and MinCount at most MaxCount"),
            ));
        }
        let user_data = match p.get("UserData") {
            None => String::new(),
            Some(encoded) => base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    Fault::bad(
                        "InvalidParameterValue",
                        "Invalid BASE64 encoding of user data: UserData is the base64 of UTF-8 text",
                    )
                })?,
        };
        let mut root_delete_on_termination = None;
        for m in p.members("BlockDeviceMapping")? {
            let _ = p.get(&format!("{m}.DeviceName"));
            root_delete_on_termination = p.bool(&format!("{m}.Ebs.DeleteOnTermination"))?;
        }
        for flag in ["DisableApiTermination", "DisableApiStop", "EbsOptimized"] {
            if p.flag(flag)? {
                return Err(Fault::bad(
                    "InvalidParameter",
                    format!("amisim does not model {flag}; leave it out or false"),
                ));
            }
        }
        let mut tags = p.tag_specifications(&["instance"])?;
        let tags = tags.remove("instance").unwrap_or_default();
        // AWS makes a launch idempotent by ClientToken (the SDKs always send
        // one); amisim answers each request anew.
        let _ = p.get("ClientToken");
        self.ready("RunInstances")?;
        let mut launched = Vec::new();
        for _ in 0..max {
            launched.push(self.call(&RunInstance {
                image_id: image_id.clone(),
                instance_type: instance_type.clone(),
                user_data: user_data.clone(),
                state: None,
                root_delete_on_termination,
                tags: tags.clone(),
            })?);
        }
        let owner = self.caller.account_id.clone();
        let x = &mut self.out.xml;
        x.text("reservationId", &reservation_id(&launched[0]))
            .text("ownerId", &owner)
            .open("groupSet")
            .close("groupSet")
            .open("instancesSet");
        for (n, i) in launched.iter().enumerate() {
            instance_item(x, i, n);
        }
        x.close("instancesSet");
        Ok(())
    }

    pub(super) fn describe_instances(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let ids = p.list("InstanceId")?;
        if !p.members("Filter")?.is_empty() {
            return Err(Fault::bad(
                "InvalidParameter",
                "amisim's DescribeInstances takes InstanceId.N, not filters",
            ));
        }
        let _ = p.int("MaxResults")?;
        let _ = p.get("NextToken");
        self.ready("DescribeInstances")?;
        let instances = if ids.is_empty() {
            self.call(&DescribeInstances {})?
        } else {
            let mut found = Vec::new();
            for id in &ids {
                found.push(self.instance(id)?);
            }
            found
        };
        let owner = self.caller.account_id.clone();
        let x = &mut self.out.xml;
        x.open("reservationSet");
        for i in &instances {
            x.open("item")
                .text("reservationId", &reservation_id(i))
                .text("ownerId", &owner)
                .open("groupSet")
                .close("groupSet")
                .open("instancesSet");
            instance_item(x, i, 0);
            x.close("instancesSet").close("item");
        }
        x.close("reservationSet");
        Ok(())
    }

    /// StartInstances, StopInstances or TerminateInstances of `InstanceId.N`.
    pub(super) fn change_instances(&mut self, action: &str) -> Result<(), Fault> {
        let p = self.p;
        let ids = p.list("InstanceId")?;
        if ids.is_empty() {
            return Err(Fault::bad(
                "MissingParameter",
                "The request must contain the parameter InstanceId",
            ));
        }
        let _ = p.flag("Force")?;
        self.ready(action)?;
        let mut changes = Vec::new();
        for id in &ids {
            let before = self.instance(id)?;
            let now = match action {
                "StartInstances" => self.call(&StartInstance::new(id))?.state,
                "StopInstances" => self.call(&StopInstance::new(id))?.state,
                _ => {
                    self.call(&TerminateInstance::new(id))?;
                    InstanceState::Terminated
                }
            };
            changes.push((id.clone(), before.state, now));
        }
        let x = &mut self.out.xml;
        x.open("instancesSet");
        for (id, before, now) in changes {
            x.open("item").text("instanceId", &id);
            state(x, "currentState", now.as_str());
            state(x, "previousState", before.as_str());
            x.close("item");
        }
        x.close("instancesSet");
        Ok(())
    }
}

/// A reservation ID for an instance: `r-` and the hex of its ID.
fn reservation_id(i: &Instance) -> String {
    format!("r-{}", i.id.trim_start_matches("i-"))
}

/// One instance of `instancesSet`, with the fields botocore's `Instance`
/// shape names that amisim models.
fn instance_item(x: &mut Xml, i: &Instance, index: usize) {
    let root = super::root_device(&i.platform, &i.root_device_type);
    x.open("item")
        .text("instanceId", &i.id)
        .text("imageId", &i.image_id);
    state(x, "instanceState", i.state.as_str());
    x.text("privateDnsName", "")
        .text("dnsName", "")
        .text("amiLaunchIndex", &index.to_string())
        .open("productCodes")
        .close("productCodes")
        .text("instanceType", &i.instance_type)
        .text("launchTime", &i.launch_time)
        .open("placement")
        .text("availabilityZone", &format!("{}a", i.region))
        .text("tenancy", "default")
        .close("placement");
    if i.platform == "windows" {
        x.text("platform", "windows");
    }
    x.open("monitoring")
        .text("state", "disabled")
        .close("monitoring")
        .text("architecture", &i.architecture)
        .text("rootDeviceType", &i.root_device_type)
        .text("rootDeviceName", root)
        .open("blockDeviceMapping");
    if let Some(volume) = &i.root_volume_id {
        x.open("item")
            .text("deviceName", root)
            .open("ebs")
            .text("volumeId", volume)
            .text("status", "attached")
            .text("attachTime", &i.launch_time)
            .bool("deleteOnTermination", i.root_delete_on_termination)
            .close("ebs")
            .close("item");
    }
    x.close("blockDeviceMapping")
        .text("virtualizationType", "hvm")
        .text("hypervisor", "xen");
    super::tag_set(x, &i.tags);
    x.bool("ebsOptimized", false)
        .bool("enaSupport", true)
        .text(
            "platformDetails",
            if i.platform == "windows" {
                "Windows"
            } else {
                "Linux/UNIX"
            },
        )
        .close("item");
}
