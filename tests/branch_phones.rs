//! A phone number reaches one branch of the installation. A second branch given a number that
//! another branch already has (its own phone, or a number its agent answers) is refused with
//! exit code 4 naming the branch and company that have it, also when several processes ask at
//! once; calls to the number keep reaching the first branch. (An upgrade from a database where
//! two branches share a number: `tests/migrations.rs`.)

mod common;

use askpro::store::{self, PoolSize};
use common::{block_on, TestDb};

both_backends!(a_second_branch_cannot_take_a_branch_phone);
both_backends!(branches_created_at_once_with_one_phone_get_it_once);

fn branch_with_phone(db: &TestDb, company: i64, name: &str, phone: &str) -> common::Run {
    db.run(&["branch:create", "--company-id", &company.to_string(), "--name", name, "--phone", phone, "-q"])
}

fn a_second_branch_cannot_take_a_branch_phone(db: &TestDb) {
    let salon = db.company("Salon");
    let first = branch_with_phone(db, salon, "Mitte", "030 1234567");
    assert_eq!(first.code, 0, "{}", first.stderr);
    let mitte = first.stdout.trim();

    // The same number, written another way, in the same company and in another one.
    let expected = format!("+49301234567 is already the phone of branch {mitte} 'Mitte' of company {salon} 'Salon'");
    branch_with_phone(db, salon, "Nord", "+49 30 1234567").fails(4, &expected);
    let praxis = db.company("Praxis");
    let refused = branch_with_phone(db, praxis, "Zentrum", "+49301234567");
    refused.fails(4, &expected);
    assert!(refused.stderr.contains("help: a number reaches one branch only"), "{}", refused.stderr);
    assert!(refused.stdout.is_empty(), "no id is printed: {}", refused.stdout);

    // Nothing was half-created, and the number still reaches Mitte.
    assert_eq!(db.ok(&["branch:list", "--company-id", &praxis.to_string(), "-q"]).trim(), "");
    assert_eq!(db.ok(&["branch:list", "--company-id", &salon.to_string(), "-q"]).trim(), mitte);
    block_on(async {
        let s = store::connect(&db.url, PoolSize(1)).await.unwrap();
        let tenant = s.tenant_for_call(None, Some("+49301234567")).await.unwrap().expect("the number reaches a branch");
        assert_eq!((tenant.company_id, tenant.branch_id.to_string()), (salon, mitte.to_string()));
        s.close().await;
    });

    // Reusing the branch by name is not a second branch; other numbers and no number are free.
    let again = db.run(&[
        "branch:create",
        "--company-id",
        &salon.to_string(),
        "--name",
        "Mitte",
        "--phone",
        "030 1234567",
        "--if-not-exists",
        "-q",
    ]);
    assert_eq!((again.code, again.stdout.trim()), (0, mitte), "{}", again.stderr);
    assert_eq!(branch_with_phone(db, praxis, "Zentrum", "030 7654321").code, 0);
    db.branch(praxis, "Ohne Telefon");
    db.branch(praxis, "Auch ohne Telefon");
}

fn branches_created_at_once_with_one_phone_get_it_once(db: &TestDb) {
    let companies: Vec<i64> = (0..4).map(|i| db.company(&format!("Firma {i}"))).collect();
    let script = companies
        .iter()
        .flat_map(|c| (0..2).map(move |i| format!("askpro branch:create --company-id {c} --name B{i} --phone 030555000 -q > out_{c}_{i} 2> err_{c}_{i}; echo $? > code_{c}_{i} &")))
        .collect::<Vec<_>>()
        .join("\n");
    let run = db.shell(&format!("{script}\nwait"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut codes = Vec::new();
    for c in &companies {
        for i in 0..2 {
            let read = |what: &str| std::fs::read_to_string(db.path().join(format!("{what}_{c}_{i}"))).unwrap();
            let code: i32 = read("code").trim().parse().unwrap();
            if code == 4 {
                assert!(read("err").contains("+4930555000 is already the phone of branch"), "{}", read("err"));
            }
            codes.push(code);
        }
    }
    codes.sort();
    assert_eq!(codes, [0, 4, 4, 4, 4, 4, 4, 4], "exactly one branch gets the number");
}
