#include <gtest/gtest.h>

#include "atomforge/src/io/cif.hpp"
#include "atomforge/src/io/extxyz.hpp"
#include "atomforge/src/io/lammps_data.hpp"
#include "test_support.hpp"

TEST(LammpsData, ReadsTriclinicWithImagesAndVelocities) {
  const std::string p = aft::write_file("a.data", R"(LAMMPS data file via write_data

3 atoms
2 atom types

-1.0 4.0 xlo xhi
0.0 5.0 ylo yhi
0.5 6.5 zlo zhi
0.5 -0.25 1.0 xy xz yz

Masses

1 12.0
2 16.0

Atoms # atomic

3 2 1.0 2.0 3.0 0 1 -1
1 1 0.1 0.2 0.3 0 0 0
2 1 3.5 4.5 5.5 1 0 0

Velocities

2 0.2 0.0 0.0
1 0.1 0.0 0.0
3 0.3 0.0 0.0
)");
  const af::Structure s = af::read_lammps_data(p);
  ASSERT_EQ(s.natoms(), 3u);
  EXPECT_DOUBLE_EQ(s.box.lx(), 5.0);
  EXPECT_DOUBLE_EQ(s.box.xz(), -0.25);
  EXPECT_DOUBLE_EQ(s.box.lo[2], 0.5);
  EXPECT_EQ(s.id[0], 3);
  EXPECT_EQ(s.type[0], 1);
  EXPECT_EQ(s.image[2], -1);
  EXPECT_DOUBLE_EQ(s.v[0], 0.3);  // velocities matched by id, not by order
  EXPECT_DOUBLE_EQ(s.masses[1], 16.0);
}

TEST(LammpsData, ErrorsNameFileAndLine) {
  const std::string p = aft::write_file("bad.data", "title\n\n2 atoms\n1 atom types\n0 1 xlo xhi\n0 1 ylo yhi\n0 1 zlo zhi\n\nAtoms\n\n1 1 0 0 0\n2 1 0.5 0.5\n");
  try {
    af::read_lammps_data(p);
    FAIL() << "no error";
  } catch (const af::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.data:12:"), std::string::npos) << e.what();
  }
}

TEST(ExtXYZ, ReadsLastFrameAndRotatesGeneralCell) {
  const std::string p = aft::write_file("a.xyz", R"(1
Lattice="4 0 0 0 4 0 0 0 4" Properties=species:S:1:pos:R:3 pbc="T T T"
Ar 0 0 0
2
Lattice="0 3 0 -3 0 0 0 0 3" Properties=species:S:1:pos:R:3:forces:R:3 energy=-1.0 pbc="T T F"
Si 0.0 1.0 0.0 0 0 0
O 0.0 0.0 1.0 0 0 0
)");
  const af::Structure s = af::read_extxyz(p);
  ASSERT_EQ(s.natoms(), 2u);
  EXPECT_EQ(s.species.size(), 2u);
  EXPECT_NEAR(s.box.lx(), 3.0, 1e-12);
  EXPECT_NEAR(s.box.xy(), 0.0, 1e-12);
  EXPECT_NEAR(s.x[0], 1.0, 1e-12);  // (0,1,0) lies along a, which becomes x
  EXPECT_FALSE(s.box.periodic[2]);
}

TEST(Cif, SymmetryOperations) {
  af::SymOp op;
  std::string why;
  ASSERT_TRUE(af::parse_symop("-x+1/2, y-x, z+0.25", op, why)) << why;
  EXPECT_EQ(op.r[0][0], -1);
  EXPECT_EQ(op.t[0], 0.5);
  EXPECT_EQ(op.r[1][0], -1);
  EXPECT_EQ(op.r[1][1], 1);
  EXPECT_EQ(op.t[2], 0.25);
  ASSERT_TRUE(af::parse_symop("1/2+X,+Y,-Z", op, why)) << why;
  EXPECT_EQ(op.t[0], 0.5);
  EXPECT_EQ(op.r[2][2], -1);
  for (const char* bad : {"x,y", "x,y,z,x", "x,,z", "x,x,z", "x+,y,z", "x,y,z+1/0", "a,y,z", "x*y,y,z"})
    EXPECT_FALSE(af::parse_symop(bad, op, why)) << bad;
}

TEST(Cif, ExpandsSymmetryAndMergesImages) {
  // CsCl-like: two sites, Pm-3m subset (inversion + identity) keeps 2 atoms.
  const std::string p = aft::write_file(
      "cscl.cif",
      "data_CsCl\n_cell_length_a 4.1\n_cell_length_b 4.1\n_cell_length_c 4.1(2)\n_cell_angle_alpha 90\n"
      "_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_symmetry_equiv_pos_as_xyz\n'x, y, z'\n'-x, -y, -z'\n"
      "loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"
      "Cs1 Cs+ 0 0 0\nCl1 Cl- 0.5 0.5 0.5\n");
  const af::Structure s = af::read_cif(p);
  ASSERT_EQ(s.natoms(), 2u);
  EXPECT_EQ(s.species, (std::vector<std::string>{"Cs", "Cl"}));
  EXPECT_DOUBLE_EQ(s.x[3], 2.05);
  EXPECT_DOUBLE_EQ(s.box.lz(), 4.1);
}
