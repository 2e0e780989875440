//! A schema with 130 relations compiles and runs: `schema!` takes any number of relations (it
//! once recursed once per relation, which capped a schema at about 128 of them).
//!
//! One table, `Node`, with 130 optional keys to itself (`k0`..`k129`), one relation each
//! (`R0`..`R129`). Generated: the three lists of 130 lines below are, in order, the output of
//!
//! ```sh
//! for i in $(seq 0 129); do echo "    k$i: Option<Id<Node>>,"; done
//! for i in $(seq 0 129); do echo "relstore::belongs_to!(R$i: Node.k$i -> Node, has_many);"; done
//! for i in $(seq 0 129); do echo "        R$i,"; done
//! ```

use relstore::{Db, Id, Model};
use serde::{Deserialize, Serialize};

#[derive(Clone, Default, Serialize, Deserialize, Model)]
#[relstore(table = "nodes")]
struct Node {
    k0: Option<Id<Node>>,
    k1: Option<Id<Node>>,
    k2: Option<Id<Node>>,
    k3: Option<Id<Node>>,
    k4: Option<Id<Node>>,
    k5: Option<Id<Node>>,
    k6: Option<Id<Node>>,
    k7: Option<Id<Node>>,
    k8: Option<Id<Node>>,
    k9: Option<Id<Node>>,
    k10: Option<Id<Node>>,
    k11: Option<Id<Node>>,
    k12: Option<Id<Node>>,
    k13: Option<Id<Node>>,
    k14: Option<Id<Node>>,
    k15: Option<Id<Node>>,
    k16: Option<Id<Node>>,
    k17: Option<Id<Node>>,
    k18: Option<Id<Node>>,
    k19: Option<Id<Node>>,
    k20: Option<Id<Node>>,
    k21: Option<Id<Node>>,
    k22: Option<Id<Node>>,
    k23: Option<Id<Node>>,
    k24: Option<Id<Node>>,
    k25: Option<Id<Node>>,
    k26: Option<Id<Node>>,
    k27: Option<Id<Node>>,
    k28: Option<Id<Node>>,
    k29: Option<Id<Node>>,
    k30: Option<Id<Node>>,
    k31: Option<Id<Node>>,
    k32: Option<Id<Node>>,
    k33: Option<Id<Node>>,
    k34: Option<Id<Node>>,
    k35: Option<Id<Node>>,
    k36: Option<Id<Node>>,
    k37: Option<Id<Node>>,
    k38: Option<Id<Node>>,
    k39: Option<Id<Node>>,
    k40: Option<Id<Node>>,
    k41: Option<Id<Node>>,
    k42: Option<Id<Node>>,
    k43: Option<Id<Node>>,
    k44: Option<Id<Node>>,
    k45: Option<Id<Node>>,
    k46: Option<Id<Node>>,
    k47: Option<Id<Node>>,
    k48: Option<Id<Node>>,
    k49: Option<Id<Node>>,
    k50: Option<Id<Node>>,
    k51: Option<Id<Node>>,
    k52: Option<Id<Node>>,
    k53: Option<Id<Node>>,
    k54: Option<Id<Node>>,
    k55: Option<Id<Node>>,
    k56: Option<Id<Node>>,
    k57: Option<Id<Node>>,
    k58: Option<Id<Node>>,
    k59: Option<Id<Node>>,
    k60: Option<Id<Node>>,
    k61: Option<Id<Node>>,
    k62: Option<Id<Node>>,
    k63: Option<Id<Node>>,
    k64: Option<Id<Node>>,
    k65: Option<Id<Node>>,
    k66: Option<Id<Node>>,
    k67: Option<Id<Node>>,
    k68: Option<Id<Node>>,
    k69: Option<Id<Node>>,
    k70: Option<Id<Node>>,
    k71: Option<Id<Node>>,
    k72: Option<Id<Node>>,
    k73: Option<Id<Node>>,
    k74: Option<Id<Node>>,
    k75: Option<Id<Node>>,
    k76: Option<Id<Node>>,
    k77: Option<Id<Node>>,
    k78: Option<Id<Node>>,
    k79: Option<Id<Node>>,
    k80: Option<Id<Node>>,
    k81: Option<Id<Node>>,
    k82: Option<Id<Node>>,
    k83: Option<Id<Node>>,
    k84: Option<Id<Node>>,
    k85: Option<Id<Node>>,
    k86: Option<Id<Node>>,
    k87: Option<Id<Node>>,
    k88: Option<Id<Node>>,
    k89: Option<Id<Node>>,
    k90: Option<Id<Node>>,
    k91: Option<Id<Node>>,
    k92: Option<Id<Node>>,
    k93: Option<Id<Node>>,
    k94: Option<Id<Node>>,
    k95: Option<Id<Node>>,
    k96: Option<Id<Node>>,
    k97: Option<Id<Node>>,
    k98: Option<Id<Node>>,
    k99: Option<Id<Node>>,
    k100: Option<Id<Node>>,
    k101: Option<Id<Node>>,
    k102: Option<Id<Node>>,
    k103: Option<Id<Node>>,
    k104: Option<Id<Node>>,
    k105: Option<Id<Node>>,
    k106: Option<Id<Node>>,
    k107: Option<Id<Node>>,
    k108: Option<Id<Node>>,
    k109: Option<Id<Node>>,
    k110: Option<Id<Node>>,
    k111: Option<Id<Node>>,
    k112: Option<Id<Node>>,
    k113: Option<Id<Node>>,
    k114: Option<Id<Node>>,
    k115: Option<Id<Node>>,
    k116: Option<Id<Node>>,
    k117: Option<Id<Node>>,
    k118: Option<Id<Node>>,
    k119: Option<Id<Node>>,
    k120: Option<Id<Node>>,
    k121: Option<Id<Node>>,
    k122: Option<Id<Node>>,
    k123: Option<Id<Node>>,
    k124: Option<Id<Node>>,
    k125: Option<Id<Node>>,
    k126: Option<Id<Node>>,
    k127: Option<Id<Node>>,
    k128: Option<Id<Node>>,
    k129: Option<Id<Node>>,
}

relstore::belongs_to!(R0: Node.k0 -> Node, has_many);
relstore::belongs_to!(R1: Node.k1 -> Node, has_many);
relstore::belongs_to!(R2: Node.k2 -> Node, has_many);
relstore::belongs_to!(R3: Node.k3 -> Node, has_many);
relstore::belongs_to!(R4: Node.k4 -> Node, has_many);
relstore::belongs_to!(R5: Node.k5 -> Node, has_many);
relstore::belongs_to!(R6: Node.k6 -> Node, has_many);
relstore::belongs_to!(R7: Node.k7 -> Node, has_many);
relstore::belongs_to!(R8: Node.k8 -> Node, has_many);
relstore::belongs_to!(R9: Node.k9 -> Node, has_many);
relstore::belongs_to!(R10: Node.k10 -> Node, has_many);
relstore::belongs_to!(R11: Node.k11 -> Node, has_many);
relstore::belongs_to!(R12: Node.k12 -> Node, has_many);
relstore::belongs_to!(R13: Node.k13 -> Node, has_many);
relstore::belongs_to!(R14: Node.k14 -> Node, has_many);
relstore::belongs_to!(R15: Node.k15 -> Node, has_many);
relstore::belongs_to!(R16: Node.k16 -> Node, has_many);
relstore::belongs_to!(R17: Node.k17 -> Node, has_many);
relstore::belongs_to!(R18: Node.k18 -> Node, has_many);
relstore::belongs_to!(R19: Node.k19 -> Node, has_many);
relstore::belongs_to!(R20: Node.k20 -> Node, has_many);
relstore::belongs_to!(R21: Node.k21 -> Node, has_many);
relstore::belongs_to!(R22: Node.k22 -> Node, has_many);
relstore::belongs_to!(R23: Node.k23 -> Node, has_many);
relstore::belongs_to!(R24: Node.k24 -> Node, has_many);
relstore::belongs_to!(R25: Node.k25 -> Node, has_many);
relstore::belongs_to!(R26: Node.k26 -> Node, has_many);
relstore::belongs_to!(R27: Node.k27 -> Node, has_many);
relstore::belongs_to!(R28: Node.k28 -> Node, has_many);
relstore::belongs_to!(R29: Node.k29 -> Node, has_many);
relstore::belongs_to!(R30: Node.k30 -> Node, has_many);
relstore::belongs_to!(R31: Node.k31 -> Node, has_many);
relstore::belongs_to!(R32: Node.k32 -> Node, has_many);
relstore::belongs_to!(R33: Node.k33 -> Node, has_many);
relstore::belongs_to!(R34: Node.k34 -> Node, has_many);
relstore::belongs_to!(R35: Node.k35 -> Node, has_many);
relstore::belongs_to!(R36: Node.k36 -> Node, has_many);
relstore::belongs_to!(R37: Node.k37 -> Node, has_many);
relstore::belongs_to!(R38: Node.k38 -> Node, has_many);
relstore::belongs_to!(R39: Node.k39 -> Node, has_many);
relstore::belongs_to!(R40: Node.k40 -> Node, has_many);
relstore::belongs_to!(R41: Node.k41 -> Node, has_many);
relstore::belongs_to!(R42: Node.k42 -> Node, has_many);
relstore::belongs_to!(R43: Node.k43 -> Node, has_many);
relstore::belongs_to!(R44: Node.k44 -> Node, has_many);
relstore::belongs_to!(R45: Node.k45 -> Node, has_many);
relstore::belongs_to!(R46: Node.k46 -> Node, has_many);
relstore::belongs_to!(R47: Node.k47 -> Node, has_many);
relstore::belongs_to!(R48: Node.k48 -> Node, has_many);
relstore::belongs_to!(R49: Node.k49 -> Node, has_many);
relstore::belongs_to!(R50: Node.k50 -> Node, has_many);
relstore::belongs_to!(R51: Node.k51 -> Node, has_many);
relstore::belongs_to!(R52: Node.k52 -> Node, has_many);
relstore::belongs_to!(R53: Node.k53 -> Node, has_many);
relstore::belongs_to!(R54: Node.k54 -> Node, has_many);
relstore::belongs_to!(R55: Node.k55 -> Node, has_many);
relstore::belongs_to!(R56: Node.k56 -> Node, has_many);
relstore::belongs_to!(R57: Node.k57 -> Node, has_many);
relstore::belongs_to!(R58: Node.k58 -> Node, has_many);
relstore::belongs_to!(R59: Node.k59 -> Node, has_many);
relstore::belongs_to!(R60: Node.k60 -> Node, has_many);
relstore::belongs_to!(R61: Node.k61 -> Node, has_many);
relstore::belongs_to!(R62: Node.k62 -> Node, has_many);
relstore::belongs_to!(R63: Node.k63 -> Node, has_many);
relstore::belongs_to!(R64: Node.k64 -> Node, has_many);
relstore::belongs_to!(R65: Node.k65 -> Node, has_many);
relstore::belongs_to!(R66: Node.k66 -> Node, has_many);
relstore::belongs_to!(R67: Node.k67 -> Node, has_many);
relstore::belongs_to!(R68: Node.k68 -> Node, has_many);
relstore::belongs_to!(R69: Node.k69 -> Node, has_many);
relstore::belongs_to!(R70: Node.k70 -> Node, has_many);
relstore::belongs_to!(R71: Node.k71 -> Node, has_many);
relstore::belongs_to!(R72: Node.k72 -> Node, has_many);
relstore::belongs_to!(R73: Node.k73 -> Node, has_many);
relstore::belongs_to!(R74: Node.k74 -> Node, has_many);
relstore::belongs_to!(R75: Node.k75 -> Node, has_many);
relstore::belongs_to!(R76: Node.k76 -> Node, has_many);
relstore::belongs_to!(R77: Node.k77 -> Node, has_many);
relstore::belongs_to!(R78: Node.k78 -> Node, has_many);
relstore::belongs_to!(R79: Node.k79 -> Node, has_many);
relstore::belongs_to!(R80: Node.k80 -> Node, has_many);
relstore::belongs_to!(R81: Node.k81 -> Node, has_many);
relstore::belongs_to!(R82: Node.k82 -> Node, has_many);
relstore::belongs_to!(R83: Node.k83 -> Node, has_many);
relstore::belongs_to!(R84: Node.k84 -> Node, has_many);
relstore::belongs_to!(R85: Node.k85 -> Node, has_many);
relstore::belongs_to!(R86: Node.k86 -> Node, has_many);
relstore::belongs_to!(R87: Node.k87 -> Node, has_many);
relstore::belongs_to!(R88: Node.k88 -> Node, has_many);
relstore::belongs_to!(R89: Node.k89 -> Node, has_many);
relstore::belongs_to!(R90: Node.k90 -> Node, has_many);
relstore::belongs_to!(R91: Node.k91 -> Node, has_many);
relstore::belongs_to!(R92: Node.k92 -> Node, has_many);
relstore::belongs_to!(R93: Node.k93 -> Node, has_many);
relstore::belongs_to!(R94: Node.k94 -> Node, has_many);
relstore::belongs_to!(R95: Node.k95 -> Node, has_many);
relstore::belongs_to!(R96: Node.k96 -> Node, has_many);
relstore::belongs_to!(R97: Node.k97 -> Node, has_many);
relstore::belongs_to!(R98: Node.k98 -> Node, has_many);
relstore::belongs_to!(R99: Node.k99 -> Node, has_many);
relstore::belongs_to!(R100: Node.k100 -> Node, has_many);
relstore::belongs_to!(R101: Node.k101 -> Node, has_many);
relstore::belongs_to!(R102: Node.k102 -> Node, has_many);
relstore::belongs_to!(R103: Node.k103 -> Node, has_many);
relstore::belongs_to!(R104: Node.k104 -> Node, has_many);
relstore::belongs_to!(R105: Node.k105 -> Node, has_many);
relstore::belongs_to!(R106: Node.k106 -> Node, has_many);
relstore::belongs_to!(R107: Node.k107 -> Node, has_many);
relstore::belongs_to!(R108: Node.k108 -> Node, has_many);
relstore::belongs_to!(R109: Node.k109 -> Node, has_many);
relstore::belongs_to!(R110: Node.k110 -> Node, has_many);
relstore::belongs_to!(R111: Node.k111 -> Node, has_many);
relstore::belongs_to!(R112: Node.k112 -> Node, has_many);
relstore::belongs_to!(R113: Node.k113 -> Node, has_many);
relstore::belongs_to!(R114: Node.k114 -> Node, has_many);
relstore::belongs_to!(R115: Node.k115 -> Node, has_many);
relstore::belongs_to!(R116: Node.k116 -> Node, has_many);
relstore::belongs_to!(R117: Node.k117 -> Node, has_many);
relstore::belongs_to!(R118: Node.k118 -> Node, has_many);
relstore::belongs_to!(R119: Node.k119 -> Node, has_many);
relstore::belongs_to!(R120: Node.k120 -> Node, has_many);
relstore::belongs_to!(R121: Node.k121 -> Node, has_many);
relstore::belongs_to!(R122: Node.k122 -> Node, has_many);
relstore::belongs_to!(R123: Node.k123 -> Node, has_many);
relstore::belongs_to!(R124: Node.k124 -> Node, has_many);
relstore::belongs_to!(R125: Node.k125 -> Node, has_many);
relstore::belongs_to!(R126: Node.k126 -> Node, has_many);
relstore::belongs_to!(R127: Node.k127 -> Node, has_many);
relstore::belongs_to!(R128: Node.k128 -> Node, has_many);
relstore::belongs_to!(R129: Node.k129 -> Node, has_many);

relstore::schema! {
    struct Big {
        nodes: Node,
    }
    relations {
        R0,
        R1,
        R2,
        R3,
        R4,
        R5,
        R6,
        R7,
        R8,
        R9,
        R10,
        R11,
        R12,
        R13,
        R14,
        R15,
        R16,
        R17,
        R18,
        R19,
        R20,
        R21,
        R22,
        R23,
        R24,
        R25,
        R26,
        R27,
        R28,
        R29,
        R30,
        R31,
        R32,
        R33,
        R34,
        R35,
        R36,
        R37,
        R38,
        R39,
        R40,
        R41,
        R42,
        R43,
        R44,
        R45,
        R46,
        R47,
        R48,
        R49,
        R50,
        R51,
        R52,
        R53,
        R54,
        R55,
        R56,
        R57,
        R58,
        R59,
        R60,
        R61,
        R62,
        R63,
        R64,
        R65,
        R66,
        R67,
        R68,
        R69,
        R70,
        R71,
        R72,
        R73,
        R74,
        R75,
        R76,
        R77,
        R78,
        R79,
        R80,
        R81,
        R82,
        R83,
        R84,
        R85,
        R86,
        R87,
        R88,
        R89,
        R90,
        R91,
        R92,
        R93,
        R94,
        R95,
        R96,
        R97,
        R98,
        R99,
        R100,
        R101,
        R102,
        R103,
        R104,
        R105,
        R106,
        R107,
        R108,
        R109,
        R110,
        R111,
        R112,
        R113,
        R114,
        R115,
        R116,
        R117,
        R118,
        R119,
        R120,
        R121,
        R122,
        R123,
        R124,
        R125,
        R126,
        R127,
        R128,
        R129,
    }
}

#[test]
fn a_schema_with_130_relations_compiles_and_runs() -> Result<(), relstore::Error> {
    let mut db = Db::<Big>::new();
    assert_eq!(db.relation_infos().len(), 130);
    let root = db.insert(Node::default())?;
    let leaf = db.insert(Node {
        k129: Some(root),
        ..Node::default()
    })?;
    let children: Vec<Id<Node>> = db.get(root)?.has_many(R129).ids().collect();
    assert_eq!(children, [leaf]);
    assert_eq!(db.get(root)?.has_many(R0).len(), 0);
    let parent = db.get(leaf)?.belongs_to(R129).map(|row| row.id());
    assert_eq!(parent, Some(root));
    Ok(())
}
